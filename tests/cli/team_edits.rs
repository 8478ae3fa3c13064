//! Three computers of one team, each its own directory file and keyring, editing through the
//! command line against a real gateway process (on SQLite; and on PostgreSQL with two gateway
//! processes, the computers split between them): every edit goes through the organization's
//! change log and comes back applied in its order, so the directories end equal. Conflicts
//! (the same username twice, an edit of a member removed meanwhile) are refused with the
//! reason; an edit made while the gateway is down is kept and sent by the next sync; a revoked
//! computer's edit is refused; a change forged outside its author's role is refused by every
//! directory. An invitation mailed from one computer (through a real SMTP server) is accepted
//! through its link and the invitee shows joined on the others, then her own new name, given
//! on the gateway's member page, shows on every computer; another is resent and cancelled from
//! a second computer.

use std::path::{Path, PathBuf};
use std::process::Output;

use orgdesk_core::team::{Command, TeamCommand};
use orgdesk_core::Directory;
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::{AppendChanges, NewChange};

use super::team::computer;
use crate::harness::{postgres_in, Gateway, Smtp};
use crate::support::{
    assert_refused, bob_stone, enroll_and_join, init_acme, json, member_add, ok, orgdesk,
    stored_tokens, text, PASSWORD,
};

/// `orgdesk --as ADMIN ARGS…` on `db`, with `stdin`.
fn run_as(db: &Path, admin: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["--as", admin];
    all.extend_from_slice(args);
    orgdesk(db, &all, stdin)
}

/// Runs each `(db, admin, args)` at once, in processes of their own; their outputs in order.
fn at_once(runs: &[(&Path, &str, Vec<&str>, Option<&str>)]) -> Vec<Output> {
    std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(db, admin, args, stdin)| s.spawn(move || run_as(db, admin, args, *stdin)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn checksum(db: &Path) -> String {
    ok(&orgdesk(db, &["directory", "checksum"], None))
}

/// Adds `name` (`username`, the suites' password) in Sales, with the roles `extra` names.
fn add_member(db: &Path, name: &str, username: &str, extra: &[&str]) {
    let args = member_add(name, username, "Sales", extra);
    ok(&orgdesk(db, &args, Some(&format!("{PASSWORD}\n"))));
}

fn member_field(db: &Path, member: &str, field: &str) -> serde_json::Value {
    json(&orgdesk(db, &["member", "show", member, "--json"], None))[field].clone()
}

/// How many times the directory refused the forged change (once: it is never applied).
const REFUSALS_OF_FORGED: &str =
    "SELECT count(*) FROM team_refusals WHERE change_id = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0'";

#[test]
fn three_computers_edit_one_directory_through_the_change_log() {
    on_sqlite(three_computers_edit);
}

/// Runs `scenario` with one gateway on SQLite.
fn on_sqlite(scenario: fn(&Path, &Smtp, Gateway, Option<Gateway>)) {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let gw = Gateway::start_on_sqlite(dir.path(), smtp.port);
    scenario(dir.path(), &smtp, gw, None);
}

/// The same on PostgreSQL with two gateway instances: the second computer reaches the second
/// instance, the other two the first.
#[test]
fn three_computers_edit_through_two_gateway_instances_on_postgresql() {
    on_two_postgresql_instances(three_computers_edit);
}

/// Runs `scenario` on a throwaway PostgreSQL with two gateway instances.
fn on_two_postgresql_instances(scenario: fn(&Path, &Smtp, Gateway, Option<Gateway>)) {
    let dir = tempfile::tempdir().unwrap();
    let pg = postgres_in(dir.path());
    let smtp = Smtp::start(dir.path());
    let gw = Gateway::start(dir.path(), &pg.url("postgres"), smtp.port);
    let second = gw.another_instance(dir.path());
    scenario(dir.path(), &smtp, gw, Some(second));
    drop(pg);
}

/// Ann's computer sets Acme up with Sales, Carol and Dave (Admins) and `members`, and starts
/// a team on `gw`; Carol's computer joins it through `url_b`, Dave's through `gw`.
fn three_computers(
    root: &Path,
    gw: &Gateway,
    url_b: &str,
    members: &[(&str, &str)],
) -> [PathBuf; 3] {
    let [a, b, c] = ["a", "b", "c"].map(|name| computer(root, name));
    ok(&init_acme(&a, Some("Ann Lee")));
    ok(&orgdesk(&a, &["dept", "add", "Sales"], None));
    add_member(&a, "Carol Diaz", "carol", &["--role", "Admin"]);
    add_member(&a, "Dave Kim", "dave", &["--role", "Admin"]);
    for (name, username) in members {
        add_member(&a, name, username, &[]);
    }
    let token = format!("{}\n", gw.token);
    ok(&orgdesk(
        &a,
        &["gateway", "use", &gw.url, "--token-stdin"],
        Some(&token),
    ));
    ok(&orgdesk(&a, &["sync"], None));
    ok(&orgdesk(&a, &["team", "start"], None));
    enroll_and_join(&a, &b, url_b, "carol");
    enroll_and_join(&a, &c, &gw.url, "dave");
    [a, b, c]
}

/// Three computers editing through `gw` (its mail through `smtp`), the second computer
/// through `second` when given.
fn three_computers_edit(root: &Path, smtp: &Smtp, mut gw: Gateway, mut second: Option<Gateway>) {
    let url = gw.url.clone();
    let url_b = second
        .as_ref()
        .map_or_else(|| url.clone(), |g| g.url.clone());
    // Before team mode, edits are written directly, as ever.
    let members = [("Erin Wu", "erin"), ("Frank Olsen", "frank")];
    let [a, b, c] = three_computers(root, &gw, &url_b, &members);
    assert_eq!(checksum(&b), checksum(&a));

    let invite_ivy = [
        "member",
        "invite-add",
        "--name",
        "Ivy",
        "--link-only",
        "--dept",
        "Sales",
    ];
    // A computer sends only its own admin's changes.
    assert_refused(
        &orgdesk(&b, &["dept", "add", "Nope"], None),
        1,
        "another admin's account",
    );
    // An import goes through the log in parts of whole rows: 2,000 people and a department
    // of their own, more than one append to the gateway carries.
    let sheet = root.join("people.csv");
    let mut rows = String::from("Name,Username,Password,Email,Department,Work Location\n");
    rows.push_str("Gil Ray,gil,Fresh-Pass-42,,Field/North,\n");
    for n in 0..2000 {
        let place = "x".repeat(60);
        rows.push_str(&format!(
            "Person {n},,,p{n}@example.com,Field/North,{place}\n"
        ));
    }
    std::fs::write(&sheet, rows).unwrap();
    let imported = ok(&run_as(
        &a,
        "ann",
        &["import", sheet.to_str().unwrap(), "--create-departments"],
        None,
    ));
    assert!(
        imported.starts_with("Imported: 2001 created, 0 updated, 0 unchanged, 0 failed."),
        "{imported}"
    );
    assert!(
        imported.contains("Imported through the team's change log, as "),
        "{imported}"
    );
    // A member's password goes through the log as its hash.
    let set = ok(&run_as(
        &a,
        "ann",
        &["member", "set-password", "erin", "--password-stdin"],
        Some("Another-Pass1\n"),
    ));
    assert_eq!(
        set.trim(),
        "Password set for Erin Wu; they must choose their own at the next sign-in."
    );
    // Someone to be invited, the organization's name and a new role go through the log.
    let ivy = ok(&run_as(&a, "ann", &invite_ivy, None));
    let ivy = ivy
        .strip_prefix("Added ")
        .and_then(|s| s.split_once(' '))
        .map(|(id, _)| id.to_owned())
        .unwrap_or_else(|| panic!("{ivy}"));
    let renamed = ok(&run_as(&a, "ann", &["org", "rename", "Acme Group"], None));
    assert_eq!(renamed.trim(), "Renamed the organization to Acme Group.");
    assert_refused(
        &run_as(&b, "carol", &["org", "rename", "Carol Corp"], None),
        1,
        "Super Admin",
    );
    let role = ok(&run_as(&b, "carol", &["role", "add", "Auditor"], None));
    assert!(role.starts_with("Added role Auditor (id "), "{role}");

    // Edits on all three computers at once, two of them of the same member.
    let said = at_once(&[
        (
            &a,
            "ann",
            vec!["member", "edit", "erin", "--employee-id", "E-1"],
            None,
        ),
        (
            &b,
            "carol",
            vec!["member", "edit", "erin", "--work-location", "Berlin"],
            None,
        ),
        (&c, "dave", vec!["dept", "add", "Ops"], None),
    ]);
    assert_eq!(ok(&said[0]).trim(), "Saved.");
    assert_eq!(ok(&said[1]).trim(), "Saved.");
    assert!(
        ok(&said[2]).starts_with("Added department Ops (id "),
        "{}",
        text(&said[2].stdout)
    );
    // The department's head, from the command line of a third computer.
    assert_eq!(
        ok(&run_as(
            &c,
            "dave",
            &["dept", "set-head", "Sales", "erin"],
            None
        ))
        .trim(),
        "Erin Wu now heads Sales."
    );
    for db in [&a, &b, &c] {
        ok(&orgdesk(db, &["sync"], None));
    }
    let on_a = Directory::open(&a).unwrap();
    let sales = on_a.resolve_department_path("Sales").unwrap();
    let head = on_a.department_details(sales).unwrap().head.unwrap();
    assert_eq!(head.username.as_deref(), Some("erin"));
    assert_eq!(member_field(&c, "erin", "employeeId"), "E-1");
    assert_eq!(member_field(&a, "erin", "workLocation"), "Berlin");
    assert_eq!(member_field(&c, &ivy, "status"), "not_joined");
    let erins: String = Directory::open(&c)
        .unwrap()
        .connection()
        .query_row(
            "SELECT password_hash FROM members WHERE username = 'erin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(orgdesk_core::password::verify("Another-Pass1", &erins));
    assert_eq!(
        member_field(&b, "p1999@example.com", "status"),
        "not_joined"
    );
    assert_eq!(member_field(&c, "gil", "status"), "enabled");
    let org = json(&orgdesk(&c, &["org", "show", "--json"], None));
    assert_eq!(org["name"], "Acme Group");
    let roles = ok(&orgdesk(&c, &["role", "list"], None));
    assert!(roles.contains("\tAuditor\t"), "{roles}");
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));

    // Someone asks to join through the join link: every computer's sync brings the request
    // (the feed is every device's, and the request a change of the log), one admin approves
    // it, and the member is on every computer.
    let link = json(&orgdesk(
        &a,
        &["join-link", "on", "--approval", "--json"],
        None,
    ))["link"]
        .as_str()
        .unwrap()
        .to_owned();
    ask_to_join(&link, "Hana Sato", "hana");
    for db in [&b, &c] {
        ok(&orgdesk(db, &["sync"], None));
        let waiting = json(&orgdesk(db, &["requests", "list", "--json"], None));
        assert_eq!(waiting["total"], 1, "{waiting}");
        assert_eq!(waiting["rows"][0]["username"], "hana", "{waiting}");
    }
    let waiting = json(&orgdesk(&c, &["requests", "list", "--json"], None));
    let request = waiting["rows"][0]["id"].to_string();
    let approved = ok(&run_as(
        &c,
        "dave",
        &["requests", "approve", &request, "--dept", "Sales"],
        None,
    ));
    assert!(
        approved.starts_with("Approved 1 join requests; new member ids: "),
        "{approved}"
    );
    for db in [&a, &b, &c] {
        ok(&orgdesk(db, &["sync"], None));
        assert_eq!(member_field(db, "hana", "status"), "enabled");
        let all = json(&orgdesk(
            db,
            &["requests", "list", "--state", "all", "--json"],
            None,
        ));
        assert_eq!(all["total"], 1, "{all}");
        assert_eq!(all["rows"][0]["state"], "approved", "{all}");
    }
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));

    // Another admin lets people in without approval, from another computer: the joining
    // rules are a change of the log, so every computer holds them (the gateway hears them
    // from that computer) and judges the next person alike.
    let open = json(&run_as(&c, "dave", &["join-link", "on", "--json"], None));
    assert_eq!(open["approvalRequired"], false, "{open}");
    assert_eq!(open["link"], link.as_str(), "{open}");
    for db in [&a, &b, &c] {
        ok(&orgdesk(db, &["sync"], None));
        let rules = Directory::open(db).unwrap().joining_rules().unwrap();
        assert!(!rules.approval_required, "{rules:?}");
    }
    ask_to_join(&link, "Iris Park", "iris");
    for db in [&b, &a, &c] {
        ok(&orgdesk(db, &["sync"], None));
    }
    for db in [&a, &b, &c] {
        assert_eq!(member_field(db, "iris", "status"), "enabled");
    }
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));

    invitations_through_the_log(smtp, [&a, &b, &c]);

    // The same new username on two computers at once: the log's order decides, and the other
    // command says why it was refused (and its next sync lists it).
    let bob = bob_stone("Sales", &[]);
    let stdin = format!("{PASSWORD}\n");
    let said = at_once(&[
        (&a, "ann", bob.clone(), Some(&stdin)),
        (&b, "carol", bob.clone(), Some(&stdin)),
    ]);
    let codes: Vec<_> = said.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
    let (won, lost) = if codes[0] == Some(0) { (0, 1) } else { (1, 0) };
    assert!(
        text(&said[won].stdout).starts_with("Added member "),
        "{said:?}"
    );
    let why = text(&said[lost].stderr);
    assert!(
        why.contains("refused it: Add member Bob Stone (bob)") && why.contains("bob"),
        "{why}"
    );
    let loser = [&a, &b][lost];
    let synced = ok(&orgdesk(loser, &["sync"], None));
    assert!(
        synced.contains("Refused: Add member Bob Stone (bob)"),
        "{synced}"
    );
    assert!(
        synced.contains("Waiting on this computer: 0 changes."),
        "{synced}"
    );

    // An edit of a member another admin removed first is refused.
    ok(&run_as(
        &a,
        "ann",
        &["member", "remove", "frank", "--transfer-to", "ann"],
        None,
    ));
    assert_refused(
        &run_as(
            &c,
            "dave",
            &["member", "edit", "frank", "--employee-id", "F-9"],
            None,
        ),
        1,
        "refused it",
    );

    // While the gateway is down an edit is kept on this computer, and the next sync sends it.
    let b_gw = second.as_mut().unwrap_or(&mut gw);
    b_gw.kill();
    let kept = ok(&run_as(&b, "carol", &["dept", "add", "Offline"], None));
    assert!(
        kept.starts_with("Kept on this computer; sent by the next `orgdesk sync`"),
        "{kept}"
    );
    assert!(Directory::open(&b)
        .unwrap()
        .resolve_department_path("Offline")
        .is_err());
    b_gw.start_again();
    let synced = ok(&orgdesk(&b, &["sync"], None));
    assert!(synced.contains("Team: 1 changes sent"), "{synced}");
    assert!(Directory::open(&b)
        .unwrap()
        .resolve_department_path("Offline")
        .is_ok());

    // A change forged outside its author's role: Carol is no longer an admin, yet her
    // computer's credential appends a change straight to the log. Every directory refuses it.
    ok(&run_as(
        &a,
        "ann",
        &["member", "edit", "carol", "--role", "Member"],
        None,
    ));
    let token = stored_tokens(&b)[format!("device {url_b}")]
        .as_str()
        .unwrap()
        .to_owned();
    let root_id = Directory::open(&a)
        .unwrap()
        .resolve_department_path("")
        .unwrap();
    let forged = TeamCommand {
        at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
        command: Command::CreateDepartment {
            parent_id: root_id,
            name: "Forged".into(),
        },
    };
    let change = NewChange {
        change_id: "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0".into(),
        body: forged.to_body().unwrap(),
    };
    let carol = GatewayClient::new(Endpoint { base: url_b, token });
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(carol.append_changes(&AppendChanges {
            changes: vec![change],
        }))
        .unwrap();
    for db in [&a, &b, &c] {
        ok(&orgdesk(db, &["sync"], None));
        let d = Directory::open(db).unwrap();
        assert!(d.resolve_department_path("Forged").is_err());
        let refusals: i64 = d
            .connection()
            .query_row(REFUSALS_OF_FORGED, [], |r| r.get(0))
            .unwrap();
        assert_eq!(refusals, 1, "{}", db.display());
    }
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));

    // A revoked computer's edit is refused, and it leaves every directory as it was.
    let devices = json(&orgdesk(&a, &["team", "devices", "--json"], None));
    let dave_device = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["username"] == "dave")
        .unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&orgdesk(&a, &["team", "revoke", &dave_device], None));
    assert_refused(
        &run_as(&c, "dave", &["dept", "add", "Revoked"], None),
        1,
        "refused this computer's credential",
    );
    ok(&orgdesk(&a, &["sync"], None));
    ok(&orgdesk(&b, &["sync"], None));
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));
    gw.kill();
}

/// An invitation mailed from the first computer `a`: the mail is delivered once, the invitee
/// registers through its link, and every computer shows them joined after its sync. Another
/// invitation is resent, then cancelled, from the second computer `b`, which alone tells the
/// gateway; every computer lists the same invitations and the directories stay equal.
fn invitations_through_the_log(smtp: &Smtp, [a, b, c]: [&Path; 3]) {
    for (name, email) in [
        ("Jo Park", "jo@example.com"),
        ("Kai Lin", "kai@example.com"),
    ] {
        let args = [
            "member",
            "invite-add",
            "--name",
            name,
            "--email",
            email,
            "--dept",
            "Sales",
        ];
        ok(&run_as(a, "ann", &args, None));
    }
    for email in ["jo@example.com", "kai@example.com"] {
        let sent = ok(&run_as(a, "ann", &["invite", email, "--email"], None));
        assert_eq!(
            sent.trim(),
            format!("An invitation (en) was mailed to {email}.")
        );
    }
    let mail = super::first_mail(&smtp.inbox(), "no invitation mail arrived");
    assert!(mail.contains("@example.com"), "{mail}");
    let invitation_of = |db: &Path, email: &str| -> serde_json::Value {
        let all = json(&orgdesk(
            db,
            &["invitations", "list", "--search", email, "--json"],
            None,
        ));
        assert_eq!(all["total"], 1, "{all}");
        all["rows"][0].clone()
    };
    let jo = invitation_of(a, "jo@example.com");
    let link = jo["link"].as_str().unwrap().to_owned();
    register(&link, "jo.park");
    for db in [b, c, a] {
        ok(&orgdesk(db, &["sync"], None));
        assert_eq!(member_field(db, "jo.park", "status"), "enabled");
        assert_eq!(invitation_of(db, "jo@example.com")["state"], "registered");
        assert_eq!(
            invitation_of(db, "jo@example.com")["inviterName"],
            "Ann Lee"
        );
    }
    // The other computers never hold the link: it is its sender's alone.
    assert!(invitation_of(b, "jo@example.com")["link"].is_null());
    // Jo changes her own name on the gateway's member page: every computer pulls the event
    // and sends it through the log, and every one shows her new name once.
    let base = link.split("/i/").next().unwrap();
    edit_own_details(
        base,
        "jo.park",
        &[
            ("name", "Jo Park-Lee"),
            ("mobile", ""),
            ("email", "jo@example.com"),
        ],
    );
    for db in [c, a, b] {
        ok(&orgdesk(db, &["sync"], None));
    }
    for db in [a, b, c] {
        ok(&orgdesk(db, &["sync"], None));
        assert_eq!(member_field(db, "jo.park", "name"), "Jo Park-Lee");
    }

    // Carol resends Kai's invitation from her computer, which sends it; then cancels it.
    let kai = invitation_of(b, "kai@example.com")["id"].to_string();
    let resent = ok(&run_as(b, "carol", &["invitations", "resend", &kai], None));
    assert_eq!(resent.trim(), "Resent 1 invitations.");
    let synced = ok(&orgdesk(b, &["sync"], None));
    assert!(synced.contains("1 invitation calls"), "{synced}");
    let cancelled = ok(&run_as(b, "carol", &["invitations", "cancel", &kai], None));
    assert_eq!(cancelled.trim(), "Cancelled 1 invitations.");
    ok(&orgdesk(b, &["sync"], None));
    for db in [a, c] {
        let synced = ok(&orgdesk(db, &["sync"], None));
        assert!(synced.contains("0 invitation calls"), "{synced}");
        assert_eq!(invitation_of(db, "kai@example.com")["state"], "cancelled");
    }
    // Jo's mail was delivered once; Kai's twice (sent, then resent).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while mails_to(smtp, "kai@example.com") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the resent mail did not arrive"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(mails_to(smtp, "jo@example.com"), 1);
    let listed = |db: &Path| {
        let all = json(&orgdesk(db, &["invitations", "list", "--json"], None));
        let rows = all["rows"].as_array().unwrap().iter();
        rows.map(|r| {
            (
                r["memberName"].clone(),
                r["state"].clone(),
                r["createdAt"].clone(),
            )
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(listed(a), listed(b));
    assert_eq!(listed(a), listed(c));
    assert_eq!(checksum(a), checksum(b));
    assert_eq!(checksum(a), checksum(c));
}

/// How many of the mails the SMTP server received are to `address`.
fn mails_to(smtp: &Smtp, address: &str) -> usize {
    let files = std::fs::read_dir(smtp.inbox()).unwrap().flatten();
    let to = format!("<{address}>");
    files
        .filter(|f| std::fs::read_to_string(f.path()).unwrap().contains(&to))
        .count()
}

/// Asks to join through the join link `link` as a person's browser does, choosing the suites'
/// password.
fn ask_to_join(link: &str, name: &str, username: &str) {
    let fields = [
        ("name", name),
        ("username", username),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    submit(link, &fields);
}

/// Registers through the invitation link `link` as the invitee's browser does, choosing the
/// suites' password.
fn register(link: &str, username: &str) {
    let fields = [
        ("username", username),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    submit(&format!("{link}/register"), &fields);
}

/// Opens the form at `url`, then posts `fields` back with its CSRF cookie and token.
fn submit(url: &str, fields: &[(&str, &str)]) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut browser = Browser::new(reqwest::redirect::Policy::default());
        let sent = browser.submit(url, url, "", fields).await;
        assert_eq!(sent.status(), reqwest::StatusCode::OK);
    });
}

/// Signs in on the gateway's member page at `base` as `username` (the suites' password) and
/// saves `fields` in the form for their own details, as their browser does.
fn edit_own_details(base: &str, username: &str, fields: &[(&str, &str)]) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut browser = Browser::new(reqwest::redirect::Policy::none());
        let me = format!("{base}/me");
        let signed_in = browser
            .submit(
                &me,
                &format!("{me}/sign-in"),
                "&#x2f;me&#x2f;sign-in",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(signed_in.status(), reqwest::StatusCode::SEE_OTHER);
        let saved = browser
            .submit(
                &me,
                &format!("{me}/details"),
                "&#x2f;me&#x2f;details",
                fields,
            )
            .await;
        assert_eq!(saved.status(), reqwest::StatusCode::SEE_OTHER);
    });
}

/// A browser's cookies, kept across the gateway's pages, and how it follows redirects.
struct Browser {
    client: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
}

impl Browser {
    fn new(redirects: reqwest::redirect::Policy) -> Self {
        let client = reqwest::Client::builder()
            .redirect(redirects)
            .build()
            .unwrap();
        Self {
            client,
            cookies: Default::default(),
        }
    }

    /// Keeps the cookies `response` sets; answers it.
    fn keep(&mut self, response: reqwest::Response) -> reqwest::Response {
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        response
    }

    fn cookie(&self) -> String {
        let pairs = self.cookies.iter().map(|(n, v)| format!("{n}={v}"));
        pairs.collect::<Vec<_>>().join("; ")
    }

    /// Opens `page`, then posts `fields` to `action` with the CSRF token of the page's form
    /// for `action` (`escaped` as the page writes it; empty: the page's first form).
    async fn submit(
        &mut self,
        page: &str,
        action: &str,
        escaped: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let form = self
            .client
            .get(page)
            .header(reqwest::header::COOKIE, self.cookie());
        let form = self.keep(form.send().await.unwrap());
        assert_eq!(form.status(), reqwest::StatusCode::OK);
        let page = form.text().await.unwrap();
        let (_, after) = page
            .split_once(&format!("action=\"{escaped}"))
            .expect("the form");
        let (_, after) = after
            .split_once("name=\"csrf\" value=\"")
            .expect("a CSRF token");
        let csrf = after.split('"').next().unwrap();
        let mut all = vec![("csrf", csrf)];
        all.extend_from_slice(fields);
        let sent = self
            .client
            .post(action)
            .header(reqwest::header::COOKIE, self.cookie())
            .form(&all)
            .send()
            .await
            .unwrap();
        self.keep(sent)
    }
}

/// A member added on one computer of a team gets one gateway account, the same on every
/// computer: on SQLite, and on PostgreSQL with two gateway instances.
#[test]
fn a_member_added_in_a_team_gets_one_gateway_account_on_every_computer() {
    on_sqlite(one_account_for_a_member_added_in_a_team);
    on_two_postgresql_instances(one_account_for_a_member_added_in_a_team);
}

/// Carol adds Eve, with a password, on the second computer (through `second` when given);
/// every computer applies it and sends the account mirror twice over: all three bind Eve to
/// one account, which the gateway holds with her password (a reset link is made for it from
/// the third computer), and the directories stay equal.
fn one_account_for_a_member_added_in_a_team(
    root: &Path,
    _smtp: &Smtp,
    gw: Gateway,
    second: Option<Gateway>,
) {
    let url_b = second.as_ref().unwrap_or(&gw).url.clone();
    let [a, b, c] = three_computers(root, &gw, &url_b, &[]);
    let args = member_add("Eve Stone", "eve", "Sales", &[]);
    ok(&run_as(&b, "carol", &args, Some(&format!("{PASSWORD}\n"))));
    for db in [&a, &b, &c, &a, &b, &c] {
        ok(&orgdesk(db, &["sync"], None));
    }
    let accounts = || {
        [&a, &b, &c].map(|db| {
            let d = Directory::open(db).unwrap();
            d.gateway_account_of(d.find_member("eve").unwrap()).unwrap()
        })
    };
    let bound = accounts();
    let eve = bound[0].clone().expect("Eve has a gateway account");
    assert!(eve.starts_with("acc_") && eve.len() == 36, "{eve}");
    assert_eq!(bound, [Some(eve.clone()), Some(eve.clone()), Some(eve)]);
    let link = ok(&run_as(
        &c,
        "dave",
        &["member", "reset-password", "eve", "--link"],
        None,
    ));
    assert!(link.trim().starts_with(&gw.url), "{link}");
    assert_eq!(accounts(), bound, "no computer bound Eve anew");
    assert_eq!(checksum(&a), checksum(&b));
    assert_eq!(checksum(&a), checksum(&c));
    drop(second);
    drop(gw);
}
