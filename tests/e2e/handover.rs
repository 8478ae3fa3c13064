//! Batch Department (Add), deleting a department that holds a resigned member, and the
//! history naming the change, in English and Chinese.

use std::path::Path;

use crate::directory::{close_dialog, dept_id, member_id, open_sales, pick_member, prepare_people};
use crate::harness::{
    back_to_english, choose, cli, click, click_to_open, member_json, switch_language, wait_text,
};
use crate::invitations::close_with_escape;
use crate::scenarios::{Ctx, PASSWORD};

/// The people of the directory scenarios, and Rita, resigned, whose only department is Ops.
pub fn prepare(db: &Path) {
    prepare_people(db);
    cli(db, &["dept", "add", "Ops"], None);
    cli(
        db,
        &[
            "member",
            "add",
            "--name",
            "Rita Old",
            "--username",
            "rita",
            "--password-stdin",
            "--dept",
            "Ops",
        ],
        Some(PASSWORD),
    );
    cli(db, &["member", "resign", "rita"], None);
}

fn departments(db: &Path, who: &str) -> Vec<(String, bool)> {
    let member = member_json(db, who);
    crate::support::positions(&member, "departmentName")
}

pub async fn batch_department_delete_and_history(c: Ctx) {
    let d = &c.d;
    open_sales(&c).await;
    let cyd = member_id(&c.db, "cyd");
    pick_member(&c, "cyd").await;
    click_to_open(d, "batch-edit", "batch-dept-mode").await;
    choose(d, "batch-value", "EMEA").await;
    c.h.screenshot(d, "50-batch-department-add").await;
    click(d, "batch-ok").await;
    wait_text(d, "batch-result-headline", |t| {
        t == "“EMEA” added to the departments of 1 member."
    })
    .await;
    c.h.screenshot(d, "51-batch-department-result").await;
    assert_eq!(
        departments(&c.db, "cyd"),
        [("Sales".to_owned(), true), ("EMEA".to_owned(), false)]
    );
    close_dialog(d).await;

    let ops = dept_id(&c.db, "Ops");
    click_to_open(d, &format!("dept-more-{ops}"), "dept-action-delete").await;
    click_to_open(d, "dept-action-delete", "dept-delete-ok").await;
    wait_text(d, "dept-delete-moves", |t| {
        t == "1 resigned member holds a position here: Rita Old. It moves to “Acme”."
    })
    .await;
    c.h.screenshot(d, "52-delete-moves-resigned").await;
    click(d, "dept-delete-ok").await;
    let start = std::time::Instant::now();
    while departments(&c.db, "rita") != [("Acme".to_owned(), true)] {
        assert!(
            start.elapsed().as_secs() < 10,
            "Rita's position did not move"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    click(d, &format!("member-name-{cyd}")).await;
    wait_text(d, "detail-history", |t| {
        t.contains("Ann Lee · added to Sales/EMEA")
    })
    .await;
    // Let the drawer finish sliding in.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    c.h.screenshot(d, "53-history-names-the-change").await;
    // The drawer covers the header: close it, switch to Chinese, open it again.
    close_with_escape(d, "detail-history").await;
    switch_language(d, "zh").await;
    click(d, &format!("member-name-{cyd}")).await;
    wait_text(d, "detail-history", |t| t.contains("添加到部门 Sales/EMEA")).await;
    // Let the drawer finish sliding in.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    c.h.screenshot(d, "54-history-names-the-change-zh").await;
    // The language is remembered by the window: back to English for the scenarios after this one.
    close_with_escape(d, "detail-history").await;
    back_to_english(d).await;
}
