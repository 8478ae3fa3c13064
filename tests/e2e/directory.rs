//! Members & Departments, clicked through in the real window.

use std::path::Path;

use thirtyfour::prelude::*;

use crate::harness::{
    by_id, choose, cli, cli_json, click, click_to_open, member_json, type_into, until_hidden,
    wait_text, wait_until_gone, wait_until_shown,
};
use crate::scenarios::{sign_in, Ctx, PASSWORD};
use crate::support::bob_stone;

pub(crate) const ROWS: &str = "[data-testid^='member-row-']";
pub(crate) const NODES: &str = "[data-testid^='dept-node-']";

pub(crate) fn dept_id(db: &Path, path: &str) -> i64 {
    fn find(n: &serde_json::Value, segs: &[&str]) -> Option<i64> {
        match segs.split_first() {
            None => n["id"].as_i64(),
            Some((first, rest)) => n["children"]
                .as_array()?
                .iter()
                .find(|c| c["name"] == *first)
                .and_then(|c| find(c, rest)),
        }
    }
    let tree = cli_json(db, &["dept", "tree", "--json"]);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    find(&tree, &segs).unwrap_or_else(|| panic!("no department {path}"))
}

pub(crate) fn member_id(db: &Path, who: &str) -> i64 {
    member_json(db, who)["id"].as_i64().unwrap()
}

/// Ticks the check box on `who`'s row of the member list.
pub(crate) async fn pick_member(c: &Ctx, who: &str) {
    let id = member_id(&c.db, who);
    let row = by_id(&c.d, &format!("member-row-{id}")).await;
    let check_box = row.find(By::Css("input[type='checkbox']")).await.unwrap();
    check_box.click().await.unwrap();
}

pub(crate) async fn open_directory(c: &Ctx) {
    sign_in(&c.d, "ann", PASSWORD).await;
    open_members(&c.d).await;
}

/// Opens Members & Departments and waits for its table.
pub(crate) async fn open_members(d: &WebDriver) {
    click(d, "nav-directory").await;
    by_id(d, "member-table").await;
}

/// Signs in and opens the Sales department of `prepare_people` (Cyd Park among its members);
/// returns its id.
pub(crate) async fn open_sales(c: &Ctx) -> i64 {
    open_directory(c).await;
    let sales = dept_id(&c.db, "Sales");
    click(&c.d, &format!("dept-node-{sales}")).await;
    wait_until_shown(&c.d, ROWS, "Cyd Park").await;
    sales
}

/// Departments: add under the root and under a child, rename, move with "Move to…".
pub async fn build_tree(c: Ctx) {
    let d = &c.d;
    open_directory(&c).await;
    let root = dept_id(&c.db, "");
    add_child(d, root, "Sales").await;
    let sales = wait_for_dept(&c.db, "Sales").await;
    wait_until_shown(d, NODES, "Sales").await;

    add_child(d, sales, "EMEA").await;
    wait_until_shown(d, NODES, "EMEA").await;

    add_child(d, root, "Engineering").await;
    wait_until_shown(d, NODES, "Engineering").await;
    let eng = dept_id(&c.db, "Engineering");

    // A name taken among siblings is refused with the reason, and nothing changes.
    add_child(d, root, "sales").await;
    wait_until_shown(d, ".ant-form-item-explain-error", "Already in use").await;
    close_dialog(d).await;

    open_dept_action(d, eng, "rename", "dept-name-input").await;
    type_into(d, "dept-name-input", "R&D").await;
    click(d, "dept-name-ok").await;
    wait_until_shown(d, NODES, "R&D").await;

    let emea = dept_id(&c.db, "Sales/EMEA");
    open_dept_action(d, emea, "move", "dept-move-target").await;
    choose(d, "dept-move-target", "R&D").await;
    click(d, "dept-move-ok").await;
    wait_text(d, "dept-title", |t| t.contains("EMEA")).await;
    let start = std::time::Instant::now();
    while dept_id_opt(&c.db, "R&D/EMEA").is_none() {
        assert!(
            start.elapsed().as_secs() < 10,
            "EMEA was not moved under R&D"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    c.h.screenshot(d, "10-department-tree").await;
}

/// Adds the department `name` under the one with id `parent`, through the tree.
async fn add_child(d: &WebDriver, parent: i64, name: &str) {
    click(d, &format!("dept-node-{parent}")).await;
    click_to_open(d, &format!("dept-add-child-{parent}"), "dept-name-input").await;
    type_into(d, "dept-name-input", name).await;
    click(d, "dept-name-ok").await;
}

/// Opens `action` (rename, move…) from the "More" menu of the department with id `id`, and
/// waits for the dialog's `opens`.
async fn open_dept_action(d: &WebDriver, id: i64, action: &str, opens: &str) {
    click(d, &format!("dept-node-{id}")).await;
    click_to_open(
        d,
        &format!("dept-more-{id}"),
        &format!("dept-action-{action}"),
    )
    .await;
    click_to_open(d, &format!("dept-action-{action}"), opens).await;
}

fn dept_id_opt(db: &Path, path: &str) -> Option<i64> {
    std::panic::catch_unwind(|| dept_id(db, path)).ok()
}

/// Waits until the department exists in the database (the window saved it).
async fn wait_for_dept(db: &Path, path: &str) -> i64 {
    let start = std::time::Instant::now();
    loop {
        if let Some(id) = dept_id_opt(db, path) {
            return id;
        }
        assert!(
            start.elapsed().as_secs() < 10,
            "department {path} was not saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

pub fn prepare_people(db: &Path) {
    cli(db, &["dept", "add", "Sales"], None);
    cli(db, &["dept", "add", "Sales/EMEA"], None);
    cli(
        db,
        &bob_stone("Sales/EMEA;Sales", &["--position", "Rep"]),
        Some(PASSWORD),
    );
    cli(
        db,
        &[
            "member",
            "add",
            "--name",
            "Cyd Park",
            "--username",
            "cyd",
            "--password-stdin",
            "--dept",
            "Sales",
        ],
        Some(PASSWORD),
    );
    cli(
        db,
        &[
            "member",
            "invite-add",
            "--name",
            "Ivy Invite",
            "--email",
            "ivy@example.com",
            "--dept",
            "Sales/EMEA",
        ],
        None,
    );
}

/// The add wizard, then search as you type and the status filter.
pub async fn add_search_filter(c: Ctx) {
    let d = &c.d;
    open_directory(&c).await;
    click_to_open(d, "member-add", "member-add-password").await;
    click_to_open(d, "member-add-password", "wizard-name").await;
    type_into(d, "wizard-name", "Dana Wu 吴").await;
    choose(d, "wizard-departments", "EMEA").await;
    click(d, "wizard-next").await;
    type_into(d, "wizard-username", "dana").await;
    type_into(d, "wizard-password", PASSWORD).await;
    c.h.screenshot(d, "11-add-member-wizard").await;
    click(d, "wizard-finish").await;
    wait_until_shown(d, ROWS, "Dana Wu 吴").await;
    let dana = member_id(&c.db, "dana");
    assert_eq!(member_json(&c.db, "dana")["status"], "enabled");
    by_id(d, &format!("member-row-{dana}")).await;

    type_into(d, "member-search", "sto").await;
    wait_until_gone(d, ROWS, "Dana").await;
    wait_until_shown(d, ROWS, "Bob Stone").await;
    wait_text(d, "member-total", |t| t.contains('1')).await;
    type_into(d, "member-search", "吴").await;
    wait_until_shown(d, ROWS, "Dana Wu").await;
    wait_until_gone(d, ROWS, "Bob Stone").await;
    type_into(d, "member-search", "").await;
    wait_until_shown(d, ROWS, "Bob Stone").await;

    click(d, "status-pending_join").await;
    wait_until_gone(d, ROWS, "Bob Stone").await;
    wait_until_shown(d, ROWS, "Ivy Invite").await;
    c.h.screenshot(d, "12-member-list-pending-join").await;
    click(d, "status-all").await;
    wait_until_shown(d, ROWS, "Bob Stone").await;
    c.h.screenshot(d, "13-member-list").await;
}

/// Details, edit, set primary, disable/enable, resign/restore, remove with transfer.
pub async fn member_lifecycle(c: Ctx) {
    let d = &c.d;
    open_directory(&c).await;
    let bob = member_id(&c.db, "bob");
    let sales = dept_id(&c.db, "Sales");
    click_to_open(d, &format!("member-name-{bob}"), "action-edit").await;
    wait_text(d, "detail-name", |t| t.contains("Bob Stone")).await;

    click_to_open(d, "action-edit", "edit-employee-id").await;
    type_into(d, "edit-employee-id", "E-42").await;
    type_into(d, "edit-work-location", "Berlin").await;
    c.h.screenshot(d, "14-edit-member").await;
    click(d, "edit-save").await;
    let start = std::time::Instant::now();
    while member_json(&c.db, "bob")["employeeId"] != "E-42" {
        assert!(start.elapsed().as_secs() < 10, "employee ID not saved");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    click(d, &format!("set-primary-{sales}")).await;
    let start = std::time::Instant::now();
    while member_json(&c.db, "bob")["positions"][0]["departmentName"] != "Sales" {
        assert!(
            start.elapsed().as_secs() < 10,
            "primary department not changed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    c.h.screenshot(d, "15-member-details").await;

    for (action, status) in [
        ("action-disable", "Disabled"),
        ("action-enable", "Enabled"),
        ("action-resign", "Resigned"),
        ("action-restore", "Enabled"),
    ] {
        click_to_open(d, action, "confirm-ok").await;
        click(d, "confirm-ok").await;
        until_hidden(d, "confirm-ok").await;
        wait_text(d, "detail-status", |t| t.contains(status)).await;
    }

    click_to_open(d, "action-remove", "transfer-to").await;
    by_id(d, "remove-dialog").await;
    wait_text(d, "transfer-preview", |t| !t.is_empty()).await;
    choose(d, "transfer-to", "Cyd Park").await;
    c.h.screenshot(d, "16-remove-with-transfer").await;
    click(d, "remove-confirm").await;
    wait_until_gone(d, ROWS, "Bob Stone").await;
    let left = cli_json(&c.db, &["member", "list", "--json"]);
    assert!(left["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["name"] != "Bob Stone"));
}

/// Batch edit over selected rows; deleting a department with members is refused.
pub async fn batch_and_delete_refusal(c: Ctx) {
    let d = &c.d;
    let sales = open_sales(&c).await;
    for who in ["bob", "cyd"] {
        pick_member(&c, who).await;
    }
    by_id(d, "batch-bar").await;
    click_to_open(d, "batch-edit", "batch-field").await;
    choose(d, "batch-field", "Work location").await;
    type_into(d, "batch-value", "Lisbon").await;
    click(d, "batch-ok").await;
    wait_text(d, "batch-result", |t| t.contains('2')).await;
    c.h.screenshot(d, "17-batch-result").await;
    for who in ["bob", "cyd"] {
        assert_eq!(member_json(&c.db, who)["workLocation"], "Lisbon");
    }
    close_dialog(d).await;

    click_to_open(d, &format!("dept-more-{sales}"), "dept-action-delete").await;
    click_to_open(d, "dept-action-delete", "dept-delete-ok").await;
    click(d, "dept-delete-ok").await;
    let msg = wait_text(d, "dept-delete-refused", |t| {
        t.contains("cannot be deleted")
    })
    .await;
    assert!(msg.contains("3 members") && msg.contains("EMEA"), "{msg}");
    c.h.screenshot(d, "18-delete-refused").await;
    click(d, "dept-select-members").await;
    wait_text(d, "batch-bar", |t| t.contains('3')).await;
    assert!(dept_id_opt(&c.db, "Sales").is_some(), "nothing was deleted");
}

/// Closes the open dialog as a person would (its close button) and waits until no dialog is
/// left on screen: a close button is not "displayed" while its dialog is still fading in, so
/// the wait is on the dialogs themselves, not on their buttons.
pub(crate) async fn close_dialog(d: &WebDriver) {
    const ANY_OPEN: &str = "return Array.from(document.querySelectorAll('.ant-modal-wrap'))\
        .some(w => getComputedStyle(w).display !== 'none');";
    let start = std::time::Instant::now();
    loop {
        let open = d
            .execute(ANY_OPEN, vec![])
            .await
            .ok()
            .and_then(|r| r.json().as_bool())
            .unwrap_or(true);
        if !open {
            return;
        }
        for b in d
            .find_all(By::Css(".ant-modal-close"))
            .await
            .unwrap_or_default()
        {
            if b.is_displayed().await.unwrap_or(false) {
                let _ = b.click().await;
            }
        }
        assert!(start.elapsed().as_secs() < 10, "the dialog did not close");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
