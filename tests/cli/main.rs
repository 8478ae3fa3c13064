//! The command-line face of the real `orgdesk` binary, without a display.

mod gateway;
mod settings;
#[path = "../support/mod.rs"]
mod support;
// The real gateway and SMTP server the fault suite starts, for the commands that need them.
#[path = "../faults/harness.rs"]
#[allow(dead_code)]
mod harness;
mod invitations;
mod join;
mod passwords;
mod team;
mod team_edits;
use support::{assert_refused, bob_stone, init_acme, init_acme_with, orgdesk, text};

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn help_works_without_a_display() {
    let dir = tempfile::tempdir().unwrap();
    let out = orgdesk(&dir.path().join("a.db"), &["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(help.contains("Usage: orgdesk"), "{help}");
    assert!(help.contains("org"), "{help}");
    assert!(
        help.contains("With no command, opens the Orgdesk window"),
        "{help}"
    );
}

#[test]
fn init_then_show_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    let init = [
        "org",
        "init",
        "--name",
        "Acme 集团",
        "--admin",
        "ann",
        "--admin-name",
        "Ann Lee",
        "--password-stdin",
    ];
    let out = orgdesk(&db, &init, Some("Correct-Horse1\n"));
    assert!(support::ok(&out).contains("Created organization Acme 集团"));

    let out = orgdesk(&db, &["org", "show", "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "Acme 集团");
    // The code made at setup joins nothing: the join code is the gateway's (`join-link show`).
    assert!(v.get("code").is_none(), "{v}");
    assert_eq!(v["counts"]["total"], 1);
    assert_eq!(v["initialAdmin"]["username"], "ann");
    assert_eq!(v["initialAdmin"]["name"], "Ann Lee");
    assert!(v.get("canRename").is_none());

    let out = orgdesk(&db, &["org", "show"], None);
    let s = text(&out.stdout);
    assert!(s.contains("Organization:       Acme 集团"), "{s}");
    assert!(!s.contains("code"), "{s}");

    // Renamed, and a role of its own added, as in the window.
    let out = orgdesk(&db, &["org", "rename", "Acme Group"], None);
    assert_eq!(
        support::ok(&out).trim(),
        "Renamed the organization to Acme Group."
    );
    let added = orgdesk(
        &db,
        &["role", "add", "Auditor", "--description", "Books"],
        None,
    );
    assert_eq!(support::ok(&added).trim(), "Added role Auditor (id 4).");
    assert_refused(
        &orgdesk(&db, &["role", "add", "auditor"], None),
        1,
        "A role named \"auditor\" already exists.",
    );
    let roles = support::json(&orgdesk(&db, &["role", "list", "--json"], None));
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Super Admin", "Admin", "Member", "Auditor"]);
    let out = orgdesk(&db, &["org", "show"], None);
    assert!(text(&out.stdout).contains("Organization:       Acme Group"));
}

#[test]
fn refusals_exit_1_with_the_reason_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    let out = orgdesk(&db, &["org", "show"], None);
    assert_refused(&out, 1, "There is no Orgdesk database at");
    assert!(!db.exists(), "reading does not create a database");

    let out = init_acme_with(&db, None, "weak");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("password: Password must be at least 8 characters."),
        "{err}"
    );
    assert_eq!(orgdesk(&db, &["org", "show"], None).status.code(), Some(1));

    assert_eq!(init_acme(&db, None).status.code(), Some(0));
    let again = init_acme(&db, None);
    assert_refused(&again, 1, "already holds an organization");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    let without_password = ["org", "init", "--name", "Acme", "--admin", "ann"];
    let out = orgdesk(&db, &without_password, None);
    assert_refused(&out, 2, "--password-stdin");
    assert_eq!(
        orgdesk(&db, &["no-such-command"], None).status.code(),
        Some(2)
    );
}

#[test]
fn orgdesk_db_environment_variable_picks_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_orgdesk"))
        .args(["org", "show"])
        .env("ORGDESK_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&db.display().to_string()), "{err}");
}

/// The first mail written into `dir` (waiting up to 30 seconds for it); `missing` otherwise.
fn first_mail(dir: &Path, missing: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let found: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        if let Some(f) = found.first() {
            return std::fs::read_to_string(f.path()).unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "{missing}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Acme (admin Ann Lee) in a new database; the directory holding it goes with the first value.
fn new_acme() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    let out = init_acme(&db, Some("Ann Lee"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (dir, db)
}

/// What a run of `orgdesk ARGS` on `db` that must succeed printed.
fn ok(db: &Path, args: &[&str]) -> String {
    support::ok(&orgdesk(db, args, None))
}

/// The reason a run of `orgdesk ARGS` on `db` that must be refused (exit 1) gave.
fn refused(db: &Path, args: &[&str]) -> String {
    support::failed(&orgdesk(db, args, None), 1)
}

#[test]
fn departments_from_a_script() {
    let (_dir, db) = new_acme();
    ok(&db, &["dept", "add", "Sales"]);
    ok(&db, &["dept", "add", "Sales/EMEA"]);
    ok(&db, &["dept", "add", "Engineering"]);
    assert!(refused(&db, &["dept", "add", "Sales/APAC/Japan"])
        .contains("No department \"APAC\" under \"Sales\""));
    assert!(refused(&db, &["dept", "add", "sales"]).contains("already exists"));
    ok(&db, &["dept", "rename", "Sales/EMEA", "Europe"]);
    ok(&db, &["dept", "move", "Sales/Europe", "Engineering"]);
    assert!(
        refused(&db, &["dept", "move", "Engineering", "Engineering/Europe"])
            .contains("cannot be moved into itself")
    );
    let tree = ok(&db, &["dept", "tree"]);
    assert_eq!(
        tree.trim_end(),
        "Acme  (1 direct, 1 total)\n  Sales  (0 direct, 0 total)\n  Engineering  (0 direct, 0 total)\n    Europe  (0 direct, 0 total)"
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&db, &["dept", "tree", "--json"])).unwrap();
    assert_eq!(v["children"][1]["children"][0]["name"], "Europe");
    assert!(refused(&db, &["dept", "delete", "Engineering"]).contains("sub-department \"Europe\""));
    ok(&db, &["dept", "delete", "Engineering/Europe"]);
    ok(&db, &["dept", "delete", "Engineering"]);
}

#[test]
fn members_from_a_script() {
    let (_dir, db) = new_acme();
    ok(&db, &["dept", "add", "Sales"]);
    ok(&db, &["dept", "add", "Sales/EMEA"]);
    let out = orgdesk(
        &db,
        &bob_stone(
            "Sales/EMEA;Sales",
            &[
                "--position",
                "Rep",
                "--role",
                "Admin",
                "--email",
                "bob@example.com",
                "--mobile",
                "+14155552671",
                "--json",
            ],
        ),
        Some("Correct-Horse1\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    ok(
        &db,
        &[
            "member",
            "invite-add",
            "--name",
            "Ivy",
            "--email",
            "ivy@example.com",
            "--dept",
            "Sales",
            "--position",
            "Analyst",
        ],
    );
    assert!(refused(
        &db,
        &[
            "member",
            "invite-add",
            "--name",
            "Ivy2",
            "--email",
            "IVY@example.com",
            "--dept",
            "Sales"
        ]
    )
    .contains("already used by Ivy"));

    let list: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["member", "list", "--dept", "Sales", "--subtree", "--json"],
    ))
    .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["rows"][0]["name"], "Bob Stone");
    assert_eq!(list["rows"][0]["primaryDepartment"], "EMEA");
    assert_eq!(list["rows"][1]["status"], "not_joined");
    let pending = ok(&db, &["member", "list", "--status", "pending-join"]);
    assert!(
        pending.contains("Ivy") && !pending.contains("Bob"),
        "{pending}"
    );
    assert!(ok(&db, &["member", "list", "--search", "sto"]).contains("Bob Stone"));

    let show: serde_json::Value =
        serde_json::from_str(&ok(&db, &["member", "show", "bob", "--json"])).unwrap();
    assert_eq!(show["mobile"], "+14155552671");
    assert_eq!(show["roles"][0]["name"], "Admin");
    // Personal fields of a joined member are refused; the rest saves.
    assert!(refused(&db, &["member", "edit", "bob", "--name", "Robert"])
        .contains("only they can change their name"));
    assert!(ok(
        &db,
        &[
            "member",
            "edit",
            "bob",
            "--employee-id",
            "E-7",
            "--dept",
            "Sales"
        ]
    )
    .contains("must sign in again"));
    assert!(ok(&db, &["member", "disable", "bob"]).contains("disabled"));
    assert!(refused(&db, &["member", "disable", "bob"]).contains("cannot be disabled"));
    ok(&db, &["member", "enable", "bob"]);
    ok(&db, &["member", "resign", "bob"]);
    ok(&db, &["member", "restore", "bob"]);
    assert!(refused(&db, &["member", "remove", "bob"]).contains("choose an enabled member"));
    ok(&db, &["member", "remove", "bob", "--transfer-to", "ann"]);
    assert!(ok(&db, &["member", "remove", "ivy@example.com"]).contains("Removed Ivy"));
    let left: serde_json::Value =
        serde_json::from_str(&ok(&db, &["member", "list", "--json"])).unwrap();
    assert_eq!(left["total"], 1, "only the initial admin remains");
}

/// Acme with Sales and Sales/EMEA, Bob (an admin in Sales/EMEA, heading it, who invited Ivy)
/// and Cy (in Sales), in a new database; the directory holding it goes with the first value.
fn org_with_bob() -> (tempfile::TempDir, PathBuf) {
    use orgdesk_core::audit::Actor;
    use orgdesk_core::invitations::InviteChannel;
    use orgdesk_core::members::NewInvitee;
    let (dir, path) = new_acme();
    let db = path.as_path();
    ok(db, &["dept", "add", "Sales"]);
    ok(db, &["dept", "add", "Sales/EMEA"]);
    for (name, user, dept, role) in [
        ("Bob Stone", "bob", "Sales/EMEA", "Admin"),
        ("Cy Park", "cyp", "Sales", "Member"),
    ] {
        let out = orgdesk(
            db,
            &[
                "member",
                "add",
                "--name",
                name,
                "--username",
                user,
                "--password-stdin",
                "--dept",
                dept,
                "--role",
                role,
            ],
            Some("Correct-Horse1\n"),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let mut d = orgdesk_core::Directory::open(db).unwrap();
    let ann = Actor::member(d.initial_admin_id().unwrap(), "Ann Lee");
    let bob = d.find_member("bob").unwrap();
    let emea = d.resolve_department_path("Sales/EMEA").unwrap();
    d.set_department_head(&ann, emea, Some(bob)).unwrap();
    let ivy = d
        .add_invitee(
            &ann,
            &NewInvitee {
                name: "Ivy".into(),
                email: Some("ivy@example.com".into()),
                mobile: None,
                department_id: emea,
                position: None,
                role_ids: Vec::new(),
                link_only: false,
            },
        )
        .unwrap();
    d.invite_members(
        &Actor::member(bob, "Bob Stone"),
        &[ivy],
        InviteChannel::Email,
    )
    .unwrap();
    (dir, path)
}

#[test]
fn member_remove_says_what_moved_to_whom() {
    let (_dir, db) = org_with_bob();
    assert!(refused(&db, &["member", "remove", "bob"]).contains("choose an enabled member"));
    assert_eq!(
        ok(&db, &["member", "remove", "bob", "--transfer-to", "cyp"]).trim_end(),
        "Removed Bob Stone. Moved to Cy Park: the headship of EMEA; 1 open invitation they sent."
    );
    let v: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["member", "remove", "cyp", "--transfer-to", "ann", "--json"],
    ))
    .unwrap();
    assert_eq!(v["transferredTo"]["username"], "ann");
    assert_eq!(v["departmentsHeaded"], serde_json::json!(["EMEA"]));
    assert_eq!(v["invitationsSent"], 1);
    assert_eq!(
        ok(&db, &["member", "remove", "ivy@example.com"]).trim_end(),
        "Removed Ivy."
    );
}

#[test]
fn member_batch_dept_adds_or_replaces() {
    let (_dir, db) = org_with_bob();
    let depts = |who: &str| {
        let member = serde_json::from_str(&ok(&db, &["member", "show", who, "--json"])).unwrap();
        support::positions(&member, "departmentPath")
    };
    assert_eq!(
        ok(
            &db,
            &["member", "batch-dept", "Sales", "--members", "bob;cyp"]
        )
        .trim_end(),
        "Added Sales to the departments of 1 member. 1 already as asked."
    );
    assert_eq!(
        depts("bob"),
        [("Sales/EMEA".to_owned(), true), ("Sales".to_owned(), false)]
    );
    let v: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "member",
            "batch-dept",
            "Sales/EMEA",
            "--members",
            "bob;cyp",
            "--replace",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(v["mode"], "replace");
    assert_eq!(v["changed"], 2);
    assert_eq!(depts("bob"), [("Sales/EMEA".to_owned(), true)]);
    assert_eq!(depts("cyp"), [("Sales/EMEA".to_owned(), true)]);
    assert!(refused(
        &db,
        &["member", "batch-dept", "Nowhere", "--members", "bob"]
    )
    .contains("No department \"Nowhere\""));
    let usage = orgdesk(
        &db,
        &[
            "member",
            "batch-dept",
            "Sales",
            "--members",
            "bob",
            "--add",
            "--replace",
        ],
        None,
    );
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn dept_set_head_and_member_set_primary() {
    let (_dir, db) = org_with_bob();
    // The department's head as the directory file holds it.
    let head = |path: &str| {
        let d = orgdesk_core::Directory::open(&db).unwrap();
        let id = d.resolve_department_path(path).unwrap();
        let head = d.department_details(id).unwrap().head;
        head.map(|h| h.username.unwrap_or_default())
    };
    // Cy is in Sales, not in Sales/EMEA: refused with the reason, and Bob stays its head.
    assert!(refused(&db, &["dept", "set-head", "Sales/EMEA", "cyp"])
        .contains("The head of \"EMEA\" must be a member of \"EMEA\"."));
    assert_eq!(head("Sales/EMEA").as_deref(), Some("bob"));
    assert_eq!(
        ok(&db, &["dept", "set-head", "Sales", "cyp"]).trim_end(),
        "Cy Park now heads Sales."
    );
    assert_eq!(head("Sales").as_deref(), Some("cyp"));
    assert_eq!(
        ok(&db, &["dept", "set-head", "Sales/EMEA", "--none"]).trim_end(),
        "Sales/EMEA has no head now."
    );
    assert_eq!(head("Sales/EMEA"), None);
    // Neither a member nor --none, or both: a usage error.
    for args in [
        &["dept", "set-head", "Sales"][..],
        &["dept", "set-head", "Sales", "cyp", "--none"][..],
    ] {
        assert_eq!(orgdesk(&db, args, None).status.code(), Some(2), "{args:?}");
    }

    let depts = |who: &str| {
        let member = serde_json::from_str(&ok(&db, &["member", "show", who, "--json"])).unwrap();
        support::positions(&member, "departmentPath")
    };
    ok(&db, &["member", "batch-dept", "Sales", "--members", "bob"]);
    assert!(
        refused(&db, &["member", "set-primary", "cyp", "Sales/EMEA"])
            .contains("The primary department must be one of the member's departments.")
    );
    assert_eq!(depts("cyp"), [("Sales".to_owned(), true)]);
    assert_eq!(
        ok(&db, &["member", "set-primary", "bob", "Sales"]).trim_end(),
        "Sales is now Bob Stone's primary department."
    );
    assert_eq!(
        depts("bob"),
        [("Sales".to_owned(), true), ("Sales/EMEA".to_owned(), false)]
    );
}

#[test]
fn dept_delete_says_where_resigned_members_positions_went() {
    let (_dir, db) = org_with_bob();
    assert!(refused(&db, &["dept", "delete", "Sales/EMEA"]).contains("2 members"));
    ok(&db, &["member", "remove", "ivy@example.com"]);
    ok(&db, &["member", "resign", "bob"]);
    assert_eq!(
        ok(&db, &["dept", "delete", "Sales/EMEA"]).trim_end(),
        "Deleted department Sales/EMEA. The position of 1 resigned member (Bob Stone) moved to Sales."
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&db, &["member", "show", "bob", "--json"])).unwrap();
    assert_eq!(v["positions"][0]["departmentPath"], "Sales");
    ok(&db, &["dept", "add", "Sales/APAC"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&db, &["dept", "delete", "Sales/APAC", "--json"])).unwrap();
    assert_eq!(v["resignedMoved"], serde_json::json!([]));
    assert_eq!(v["parentPath"], "Sales");
}

#[test]
fn chinese_names_are_found_by_pinyin_and_listed_in_its_order() {
    let (_dir, db) = new_acme();
    ok(&db, &["dept", "add", "Sales"]);
    for (name, email) in [
        ("张伟", "m1@example.com"),
        ("Zhou Xun", "m2@example.com"),
        ("李娜", "m3@example.com"),
        ("Zhang San", "m4@example.com"),
    ] {
        let add = ["member", "invite-add", "--name", name, "--email", email];
        ok(&db, &[&add[..], &["--dept", "Sales"]].concat());
    }
    let names = |args: &[&str]| -> Vec<String> {
        let list: serde_json::Value = serde_json::from_str(&ok(&db, args)).unwrap();
        list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&["member", "list", "--search", "zw", "--json"]),
        ["张伟"]
    );
    assert!(ok(&db, &["member", "list", "--search", "zw"]).contains("张伟"));
    assert_eq!(
        names(&["member", "list", "--search", "zhangw", "--json"]),
        ["张伟"]
    );
    assert_eq!(
        names(&["member", "list", "--json"]),
        ["Ann Lee", "李娜", "Zhang San", "张伟", "Zhou Xun"]
    );
}

#[test]
fn directory_checksum_is_equal_for_equal_content_and_follows_a_change() {
    let (dir, db) = new_acme();
    let text_sum = ok(&db, &["directory", "checksum"]);
    let digest = text_sum.lines().next().unwrap().to_owned();
    assert_eq!(digest.len(), 64, "{text_sum}");
    assert!(text_sum.contains("members 1"), "{text_sum}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["directory", "checksum", "--json"])).unwrap();
    assert_eq!(json["digest"], digest.as_str());
    assert!(json["parts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["part"] == "departments" && p["rows"] == 1));

    // Another computer holding the same content prints the same digest.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let copied = ok(&copy, &["directory", "checksum"]);
    assert_eq!(copied.lines().next().unwrap(), digest);
    ok(&copy, &["dept", "add", "Sales"]);
    let changed = ok(&copy, &["directory", "checksum"]);
    assert_ne!(changed.lines().next().unwrap(), digest);
    assert!(changed.contains("departments 2"), "{changed}");

    let missing = refused(&dir.path().join("none.db"), &["directory", "checksum"]);
    assert!(
        missing.contains("There is no Orgdesk database at"),
        "{missing}"
    );
}
