//! The scenarios, each on its own database and its own app process.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use thirtyfour::prelude::*;

use crate::directory;
use crate::handover;
use crate::harness::{
    back_to_english, by_id, click, init_org, switch_language, type_into, wait_text, Harness,
};
use crate::invitation_batches;
use crate::invitations;
use crate::join;
use crate::passwords;
use crate::spreadsheets;
use crate::team;

pub const PASSWORD: &str = "Correct-Horse1";

/// What a scenario's preparation keeps for its body (processes it started, such as a gateway,
/// which stop when it is dropped).
pub type Kept = Box<dyn std::any::Any + Send + Sync>;

/// What a scenario is given: the app, opened on a database prepared by `prepare`.
pub struct Ctx {
    pub h: Arc<Harness>,
    pub d: WebDriver,
    pub db: PathBuf,
    /// What the preparation kept, if anything.
    pub kept: Option<Kept>,
}

type Body = Box<dyn Fn(Ctx) -> Pin<Box<dyn Future<Output = ()> + Send>>>;
type Prepare = Box<dyn Fn(&std::path::Path) -> Option<Kept>>;

struct Scenario {
    name: &'static str,
    /// Organization to set up through the CLI before the app opens (None: a fresh database).
    org: Option<&'static str>,
    /// More to set up through the CLI before the app opens, and what it keeps for the body.
    prepare: Prepare,
    body: Body,
}

impl Scenario {
    /// The same row, prepared by `prepare`, which keeps something for the body (`Ctx::kept`).
    fn keeping(mut self, prepare: fn(&std::path::Path) -> Kept) -> Self {
        self.prepare = Box::new(move |db| Some(prepare(db)));
        self
    }
}

/// Nothing more to set up.
fn nothing(_: &std::path::Path) {}

fn scenarios() -> Vec<Scenario> {
    /// A row of the table; `body` is the scenario's `async fn`.
    fn sc<F>(
        name: &'static str,
        org: Option<&'static str>,
        prepare: fn(&std::path::Path),
        body: fn(Ctx) -> F,
    ) -> Scenario
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Scenario {
            name,
            org,
            prepare: Box::new(move |db| {
                prepare(db);
                None
            }),
            body: Box::new(move |c| Box::pin(body(c))),
        }
    }
    vec![
        sc(
            "first_run_setup_then_sign_in_shows_root",
            None,
            nothing,
            first_run,
        ),
        sc(
            "wrong_password_shows_message",
            Some("Acme"),
            nothing,
            wrong_password,
        ),
        sc(
            "chinese_changes_navigation_labels",
            Some("Acme 集团"),
            nothing,
            chinese,
        ),
        sc(
            "directory_builds_a_tree",
            Some("Acme"),
            nothing,
            directory::build_tree,
        ),
        sc(
            "directory_add_search_filter",
            Some("Acme"),
            directory::prepare_people,
            directory::add_search_filter,
        ),
        sc(
            "directory_member_lifecycle",
            Some("Acme"),
            directory::prepare_people,
            directory::member_lifecycle,
        ),
        sc(
            "directory_batch_and_delete_refusal",
            Some("Acme"),
            directory::prepare_people,
            directory::batch_and_delete_refusal,
        ),
        sc(
            "handover_batch_department_delete_and_history",
            Some("Acme"),
            handover::prepare,
            handover::batch_department_delete_and_history,
        ),
        sc(
            "invitation_by_email_then_join_through_the_link",
            Some("Acme"),
            invitations::prepare,
            invitations::invite_by_email_and_join,
        ),
        sc(
            "invitations_batch_and_language",
            Some("Acme"),
            invitation_batches::prepare,
            invitation_batches::batch_and_language,
        ),
        sc(
            "passwords_set_then_changed_at_sign_in",
            Some("Acme"),
            passwords::prepare,
            passwords::set_then_changed_at_sign_in,
        ),
        sc(
            "join_link_request_then_approve",
            Some("Acme"),
            nothing,
            join::join_link_request_then_approve,
        ),
        sc(
            "spreadsheets_template_import_fix_reimport_export",
            Some("Acme"),
            spreadsheets::prepare,
            spreadsheets::template_import_fix_reimport_export,
        ),
        sc(
            "spreadsheets_google_workspace_mapping_in_chinese",
            Some("Acme"),
            spreadsheets::prepare,
            spreadsheets::google_workspace_mapping_in_chinese,
        ),
        sc(
            "team_a_change_from_another_computer_shows_in_the_open_window",
            None,
            nothing,
            team::changes_cross_between_the_window_and_another_computer,
        )
        .keeping(team::prepare),
    ]
}

pub async fn run_all(filter: &[String]) -> i32 {
    let h = Arc::new(Harness::start());
    let (mut passed, mut failed) = (0, 0);
    for s in scenarios() {
        if !filter.is_empty() && !filter.iter().any(|f| s.name.contains(f.as_str())) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("orgdesk.db");
        if let Some(org) = s.org {
            init_org(&db, org, "ann", PASSWORD);
        }
        let kept = (s.prepare)(&db);
        h.use_keyring_of(&db);
        let started = Instant::now();
        let d = h.launch(&db).await;
        let ctx = Ctx {
            h: h.clone(),
            d: d.clone(),
            db: db.clone(),
            kept,
        };
        let outcome = tokio::spawn((s.body)(ctx)).await;
        if outcome.is_err() {
            h.screenshot(&d, &format!("FAILED-{}", s.name)).await;
        }
        let _ = d.quit().await;
        match outcome {
            Ok(()) => {
                passed += 1;
                println!(
                    "test {} ... ok ({:.1} s)",
                    s.name,
                    started.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                failed += 1;
                println!("test {} ... FAILED: {e}", s.name);
            }
        }
    }
    drop(h);
    println!("\ne2e: {passed} passed, {failed} failed");
    i32::from(failed > 0)
}

pub async fn sign_in(d: &WebDriver, username: &str, password: &str) {
    type_into(d, "signin-username", username).await;
    type_into(d, "signin-password", password).await;
    click(d, "signin-submit").await;
}

async fn first_run(c: Ctx) {
    let d = &c.d;
    by_id(d, "setup-submit").await;
    type_into(d, "setup-org-name", "Northwind Traders").await;
    type_into(d, "setup-admin-name", "Ann Lee").await;
    type_into(d, "setup-username", "ann").await;
    type_into(d, "setup-password", PASSWORD).await;
    type_into(d, "setup-password-confirm", PASSWORD).await;
    c.h.screenshot(d, "01-setup").await;
    click(d, "setup-submit").await;

    // Setup leads to sign-in with the username filled in.
    let user = by_id(d, "signin-username").await;
    assert_eq!(user.value().await.unwrap().as_deref(), Some("ann"));
    type_into(d, "signin-password", PASSWORD).await;
    c.h.screenshot(d, "02-sign-in").await;
    click(d, "signin-submit").await;

    wait_text(d, "header-user", |t| t.contains("Ann Lee")).await;
    click(d, "nav-directory").await;
    by_id(d, "dept-tree").await;
    let root = d
        .query(By::Css("[data-testid^='dept-node-']"))
        .first()
        .await
        .expect("the root department in the tree");
    assert!(crate::harness::text_of(&root)
        .await
        .contains("Northwind Traders"));
    wait_text(d, "dept-title", |t| t.contains("Northwind Traders")).await;
    c.h.screenshot(d, "03-members-and-departments").await;

    click(d, "nav-overview").await;
    wait_text(d, "overview-name", |t| t.contains("Northwind Traders")).await;
    // The organization code shown is the gateway's join code, off until the join link is on.
    wait_text(d, "overview-code-state", |t| !t.trim().is_empty()).await;
    c.h.screenshot(d, "04-organization-overview").await;

    // The database on disk holds what the window created.
    let out = std::process::Command::new(crate::harness::APP)
        .arg("--db")
        .arg(&c.db)
        .args(["org", "show", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "Northwind Traders");
    // The code made at setup joins nothing and is not shown.
    assert!(v.get("code").is_none(), "{v}");

    click(d, "header-user").await;
    click(d, "sign-out").await;
    by_id(d, "signin-submit").await;
}

async fn wrong_password(c: Ctx) {
    let d = &c.d;
    sign_in(d, "ann", "Wrong-Password9").await;
    wait_text(d, "signin-error", |t| {
        t.contains("Incorrect username or password")
    })
    .await;
    c.h.screenshot(d, "05-wrong-password").await;
    // The form stays usable: the right password still signs in.
    sign_in(d, "ann", PASSWORD).await;
    wait_text(d, "header-user", |t| t.contains("Ann Lee")).await;
}

async fn chinese(c: Ctx) {
    let d = &c.d;
    let started = Instant::now();
    by_id(d, "signin-submit").await;
    println!(
        "  sign-in screen interactive {} ms after the session opened",
        started.elapsed().as_millis()
    );
    sign_in(d, "ann", PASSWORD).await;
    wait_text(d, "nav-directory", |t| t == "Members & Departments").await;
    switch_language(d, "zh").await;
    wait_text(d, "nav-directory", |t| t == "成员与部门").await;
    assert_eq!(
        by_id(d, "nav-overview").await.text().await.unwrap(),
        "组织概览"
    );
    assert_eq!(
        by_id(d, "nav-join-requests").await.text().await.unwrap(),
        "加入申请"
    );
    click(d, "nav-directory").await;
    wait_text(d, "dept-title", |t| t.contains("Acme 集团")).await;
    c.h.screenshot(d, "06-members-and-departments-zh").await;
    click(d, "nav-overview").await;
    wait_text(d, "overview-name", |t| t.contains("Acme 集团")).await;
    c.h.screenshot(d, "07-organization-overview-zh").await;
    // Back to English, and the labels follow at once.
    back_to_english(d).await;
}
