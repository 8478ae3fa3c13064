//! `orgdesk member set-password` and `orgdesk member reset-password`, the latter against a
//! real gateway process and a real SMTP server (loopback only, stopped when the test ends).

use crate::harness::{Gateway, Smtp};
use crate::support::{assert_refused, bob_stone, init_acme, orgdesk, text};

fn member_bob(db: &std::path::Path) {
    let dept = orgdesk(db, &["dept", "add", "Sales"], None);
    assert_eq!(dept.status.code(), Some(0), "{}", text(&dept.stderr));
    let out = orgdesk(
        db,
        &bob_stone("Sales", &["--role", "Admin", "--email", "bob@example.com"]),
        Some("Correct-Horse1\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn set_password_from_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    assert!(init_acme(&db, None).status.success());
    member_bob(&db);

    let weak = orgdesk(
        &db,
        &["member", "set-password", "bob", "--password-stdin"],
        Some("weak\n"),
    );
    assert_refused(&weak, 1, "at least 8");
    let missing = orgdesk(
        &db,
        &["member", "set-password", "bob"],
        Some("Temp-Orchid-51\n"),
    );
    assert_eq!(
        missing.status.code(),
        Some(2),
        "--password-stdin is required"
    );

    let set = orgdesk(
        &db,
        &[
            "member",
            "set-password",
            "bob",
            "--password-stdin",
            "--json",
        ],
        Some("Temp-Orchid-51\n"),
    );
    assert_eq!(set.status.code(), Some(0), "{}", text(&set.stderr));
    let v: serde_json::Value = serde_json::from_slice(&set.stdout).unwrap();
    assert_eq!(v["name"], "Bob Stone");
    assert_eq!(v["mustChange"], true);

    // Bob must choose his own before doing anything else; the directory knows it.
    let d = orgdesk_core::Directory::open(&db).unwrap();
    let bob = d.find_member("bob").unwrap();
    assert!(d.must_change_password(bob).unwrap());
    drop(d);
    let kept = orgdesk(
        &db,
        &[
            "member",
            "set-password",
            "bob",
            "--password-stdin",
            "--no-must-change",
        ],
        Some("Temp-Orchid-52\n"),
    );
    assert_eq!(text(&kept.stdout).trim(), "Password set for Bob Stone.");
    let d = orgdesk_core::Directory::open(&db).unwrap();
    assert!(!d.must_change_password(bob).unwrap());

    // An Admin cannot set the Super Admin's.
    let out = orgdesk(
        &db,
        &[
            "--as",
            "bob",
            "member",
            "set-password",
            "ann",
            "--password-stdin",
        ],
        Some("Temp-Orchid-53\n"),
    );
    assert_refused(&out, 1, "only a Super Admin");
}

#[test]
fn reset_links_by_mail_and_to_pass_on_through_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let smtp = Smtp::start(root);
    let gateway = Gateway::start_on_sqlite(root, smtp.port);
    let db = root.join("org.db");
    assert!(init_acme(&db, None).status.success());
    member_bob(&db);
    let token = format!("{}\n", gateway.token);
    let reset = |via: &str| {
        orgdesk(
            &db,
            &[
                "member",
                "reset-password",
                "bob",
                via,
                "--gateway",
                &gateway.url,
                "--token-stdin",
            ],
            Some(&token),
        )
    };

    // Without a gateway named, the built-in one (inside the window) cannot serve the command line.
    let out = orgdesk(&db, &["member", "reset-password", "bob", "--link"], None);
    assert_refused(&out, 1, "built-in gateway");
    // One way, and only one.
    let out = orgdesk(&db, &["member", "reset-password", "bob"], None);
    assert_eq!(out.status.code(), Some(2));

    // Bob was added a moment ago: the command sends the directory's accounts first.
    let link = crate::support::ok(&reset("--link"));
    assert!(link.trim().starts_with(&gateway.url), "{link}");

    let mailed = reset("--email");
    assert_eq!(
        crate::support::ok(&mailed).trim(),
        "A reset link was mailed to bob@example.com."
    );
    let mail = super::first_mail(&smtp.inbox(), "no reset mail arrived");
    assert!(mail.contains("bob@example.com"), "{mail}");

    // No mobile: refused, naming the member, and nothing recorded.
    let texted = reset("--sms");
    assert_refused(&texted, 1, "Bob Stone has no mobile number");
    let d = orgdesk_core::Directory::open(&db).unwrap();
    let count = "SELECT count(*) FROM audit_log WHERE action = 'member.password_reset_sent'";
    let sent: i64 = d.connection().query_row(count, [], |r| r.get(0)).unwrap();
    assert_eq!(sent, 2);
}
