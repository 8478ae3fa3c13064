//! Invitations in batches, clicked through in the real window: a member added for a link with
//! no contact, the link copied, the list searched, two invitations resent and then cancelled
//! together, and what was passed over named — in English and in Chinese.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::harness::{
    by_id, cli, click, click_to_open, displayed, type_into, wait_text, wait_until_shown,
};
use crate::invitations::close_with_escape;
use crate::scenarios::{sign_in, Ctx, PASSWORD};

/// The invitations scenario's people, with Ivy's invitation queued from the command line.
pub fn prepare(db: &std::path::Path) {
    crate::invitations::prepare(db);
    cli(db, &["invite", "ivy@example.com", "--email"], None);
}

/// Types `text` into the Invitations search box.
async fn search(d: &WebDriver, text: &str) {
    let input = d
        .find(By::Css("[data-testid='invitations-search'] input"))
        .await
        .expect("the search box");
    input.send_keys(Key::Control + "a").await.unwrap();
    input.send_keys(Key::Backspace).await.unwrap();
    if !text.is_empty() {
        input.send_keys(text).await.unwrap();
    }
}

/// Ticks the row box of the invitation to `name`.
async fn select(d: &WebDriver, name: &str) {
    let css = format!(
        "[aria-label='Select the invitation to {name}'], [aria-label='选择发给 {name} 的邀请']"
    );
    let started = Instant::now();
    loop {
        if let Ok(b) = d.find(By::Css(css.as_str())).await {
            if b.click().await.is_ok() {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no box for {name}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Selects both invitations and asks for `action` (`resend` or `cancel`), confirmed.
async fn batch(d: &WebDriver, action: &str) {
    select(d, "Ivy Invite").await;
    select(d, "Lin Link").await;
    click_to_open(
        d,
        &format!("invitations-{action}-selected"),
        "invitations-batch-ok",
    )
    .await;
    click(d, "invitations-batch-ok").await;
}

pub async fn batch_and_language(c: Ctx) {
    let d = &c.d;
    sign_in(d, "ann", PASSWORD).await;
    crate::directory::open_members(d).await;

    // Lin has neither email nor mobile: a link to pass on, in Chinese, for a future admin.
    click_to_open(d, "member-add", "member-add-invite").await;
    click_to_open(d, "member-add-invite", "invitee-name").await;
    type_into(d, "invitee-name", "Lin Link").await;
    click(d, "invitee-channel-link").await;
    click(d, "invite-language-zh").await;
    crate::harness::choose(d, "invitee-roles", "Admin").await;
    // The role list stays open for more; leaving it for another field closes it.
    click(d, "invitee-position").await;
    crate::harness::wait_until_gone(d, ".ant-select-dropdown .ant-select-item-option", "Member")
        .await;
    c.h.screenshot(d, "35-invitee-link-only").await;
    click(d, "invitee-save").await;
    crate::harness::until_hidden(d, "invitee-save").await;
    let lin =
        crate::harness::cli_json(&c.db, &["invitations", "list", "--search", "lin", "--json"]);
    assert_eq!(lin["rows"][0]["channel"], "link", "{lin}");
    assert_eq!(lin["rows"][0]["language"], "zh", "{lin}");
    let lin_id = lin["rows"][0]["id"].as_i64().unwrap();
    let member = crate::harness::cli_json(&c.db, &["member", "list", "--search", "lin", "--json"]);
    assert_eq!(member["rows"][0]["name"], "Lin Link", "{member}");
    assert_eq!(
        member["rows"][0]["roles"],
        serde_json::json!(["Admin"]),
        "{member}"
    );

    // The link, once the built-in gateway made it, copied (or left selected to copy by hand).
    click(d, "nav-invitations").await;
    wait_until_shown(
        d,
        "[data-testid='invitations-table'] tbody tr[data-row-key]",
        "Lin Link",
    )
    .await;
    let started = Instant::now();
    while !by_id(d, &format!("invitation-link-{lin_id}"))
        .await
        .is_enabled()
        .await
        .unwrap_or(false)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no link for Lin"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click_to_open(
        d,
        &format!("invitation-link-{lin_id}"),
        "invitation-link-copy",
    )
    .await;
    click(d, "invitation-link-copy").await;
    let started = Instant::now();
    loop {
        if displayed(d, "invitation-link-copied", Duration::ZERO)
            .await
            .is_some()
            || displayed(d, "invitation-link-copy-by-hand", Duration::ZERO)
                .await
                .is_some()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "copying said nothing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.h.screenshot(d, "36-invitation-link-copied").await;
    close_with_escape(d, "invitation-link-copy").await;

    // Search finds Lin alone, then both.
    search(d, "lin").await;
    crate::harness::wait_until_gone(
        d,
        "[data-testid='invitations-table'] tbody tr",
        "Ivy Invite",
    )
    .await;
    search(d, "in").await;
    wait_until_shown(
        d,
        "[data-testid='invitations-table'] tbody tr",
        "Ivy Invite",
    )
    .await;

    batch(d, "resend").await;
    wait_until_shown(d, ".ant-message", "2 invitations resent.").await;
    batch(d, "cancel").await;
    wait_until_shown(d, ".ant-message", "2 invitations cancelled.").await;
    wait_text(d, &format!("invitation-state-{lin_id}"), |t| {
        t == "Cancelled"
    })
    .await;

    // Both are closed now: resending them again names each one passed over.
    batch(d, "resend").await;
    wait_text(d, "invitations-batch-result", |t| {
        t.contains("Lin Link: the invitation is already closed")
            && t.contains("None of them was resent.")
    })
    .await;
    c.h.screenshot(d, "37-invitations-passed-over").await;
    click(d, "invitations-batch-result-ok").await;

    crate::harness::switch_language(d, "zh").await;
    wait_text(d, "nav-invitations", |t| t != "Invitations").await;
    batch(d, "resend").await;
    wait_text(d, "invitations-batch-result", |t| {
        t.contains("Lin Link：该邀请已结束") && t.contains("没有重新发送任何邀请")
    })
    .await;
    c.h.screenshot(d, "38-invitations-passed-over-zh").await;
    click(d, "invitations-batch-result-ok").await;
    crate::harness::back_to_english(d).await;
}
