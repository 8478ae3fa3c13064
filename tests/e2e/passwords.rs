//! Passwords in the window: an admin sets another admin's password from the row's menu with
//! "must change at next sign-in"; that admin signs in with it, is asked for a new one before
//! anything else (in Chinese too), chooses it, and is in; as an Admin, the Super Admin role is
//! greyed out for him.

use std::path::Path;

use crate::harness::{
    by_id, cli, click, click_to_open, member_json, switch_language, type_into, until_hidden,
    wait_text, wait_until_shown,
};
use crate::scenarios::{sign_in, Ctx, PASSWORD};
use crate::support::bob_stone;

const SET: &str = "Temp-Orchid-51";
const OWN: &str = "Quiet-Lantern-88";

/// Bob Stone, an Admin in Sales.
pub fn prepare(db: &Path) {
    cli(db, &["dept", "add", "Sales"], None);
    cli(
        db,
        &bob_stone("Sales", &["--role", "Admin", "--email", "bob@example.com"]),
        Some(PASSWORD),
    );
}

pub async fn set_then_changed_at_sign_in(c: Ctx) {
    let d = &c.d;
    sign_in(d, "ann", PASSWORD).await;
    crate::directory::open_members(d).await;
    let bob = member_json(&c.db, "bob")["id"].as_i64().unwrap();

    click_to_open(
        d,
        &format!("member-actions-{bob}"),
        "row-action-setPassword",
    )
    .await;
    click_to_open(d, "row-action-setPassword", "set-password").await;
    type_into(d, "set-password", SET).await;
    type_into(d, "set-password-confirm", SET).await;
    c.h.screenshot(d, "55-set-password").await;
    click(d, "set-password-submit").await;
    until_hidden(d, "set-password-submit").await;

    click(d, "header-user").await;
    click(d, "sign-out").await;
    by_id(d, "signin-submit").await;
    // Bob's old password no longer works; the one Ann set does, once.
    sign_in(d, "bob", SET).await;
    by_id(d, "must-change-password").await;
    switch_language(d, "zh").await;
    wait_text(d, "must-change-password", |t| t.contains("设置新密码")).await;
    c.h.screenshot(d, "56-must-change-password-zh").await;
    switch_language(d, "en").await;
    wait_text(d, "must-change-password", |t| {
        t.contains("Choose a new password")
    })
    .await;

    type_into(d, "change-password-current", SET).await;
    type_into(d, "change-new-password", OWN).await;
    type_into(d, "change-new-password-confirm", OWN).await;
    c.h.screenshot(d, "57-must-change-password").await;
    click(d, "change-password-submit").await;
    wait_text(d, "header-user", |t| t.contains("Bob Stone")).await;
    crate::directory::open_members(d).await;

    // The history says who set it; the password Bob chose signs him in from now on.
    let history = member_json(&c.db, "bob")["history"].to_string();
    assert!(history.contains("member.password_set"), "{history}");
    assert!(history.contains("member.password_changed"), "{history}");
    click(d, "header-user").await;
    click(d, "sign-out").await;
    sign_in(d, "bob", OWN).await;
    wait_text(d, "header-user", |t| t.contains("Bob Stone")).await;

    // Bob is an Admin: editing Ann, a Super Admin, her Super Admin role stays hers, and the
    // role is greyed out in the list, saying why.
    crate::directory::open_members(d).await;
    let ann = member_json(&c.db, "ann")["id"].as_i64().unwrap();
    click_to_open(d, &format!("member-name-{ann}"), "action-edit").await;
    wait_text(d, "action-super-admin-only", |t| {
        t.contains("Only a Super Admin can change a Super Admin's status or password")
    })
    .await;
    c.h.screenshot(d, "58-super-admin-details").await;
    click_to_open(d, "action-edit", "edit-roles").await;
    click(d, "edit-roles").await;
    wait_until_shown(
        d,
        ".ant-select-dropdown .ant-select-item-option-disabled",
        "Only a Super Admin can give or take away this role.",
    )
    .await;
    c.h.screenshot(d, "59-super-admin-role-only").await;
}
