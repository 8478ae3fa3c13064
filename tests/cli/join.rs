//! `orgdesk join-link` against a real gateway (started in this process), and `orgdesk
//! requests` over join requests recorded the way the gateway's feed records them.

use std::path::Path;

use orgdesk_core::Directory;
use orgdesk_protocol::{Event, EventKind, JoinVia, JoinerDetails};

use super::{new_acme, ok, refused};
use crate::support::{assert_refused, json, orgdesk, text};

/// A gateway on loopback in its own runtime, with one organization; its address and token.
/// Its mail is written as .eml files (`mail_dir`).
pub(crate) struct Gateway {
    pub(crate) base: String,
    pub(crate) token: String,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Gateway {
    pub(crate) fn mail_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("mail")
    }
}

pub(crate) fn gateway() -> Gateway {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = orgdesk_gateway::config::Config::local(
        dir.path().join("gateway.db").display().to_string(),
        dir.path().join("mail"),
    );
    let (base, token) = runtime.block_on(async {
        let gw = orgdesk_gateway::serve(config).await.unwrap();
        let creds = gw.create_organization("Acme").await.unwrap();
        let base = gw.public_url().to_owned();
        // Serves until the runtime is dropped with the test.
        std::mem::forget(gw);
        (base, creds.api_token)
    });
    Gateway {
        base,
        token,
        _runtime: runtime,
        _dir: dir,
    }
}

impl Gateway {
    /// `orgdesk join-link ARGS… --gateway URL --token-stdin --json`.
    fn link(&self, db: &Path, args: &[&str]) -> std::process::Output {
        let mut all = vec!["join-link"];
        all.extend_from_slice(args);
        all.extend(["--gateway", &self.base, "--token-stdin", "--json"]);
        orgdesk(db, &all, Some(&format!("{}\n", self.token)))
    }
}

#[test]
fn the_join_link_is_shown_switched_on_rotated_and_off_through_the_gateway() {
    let (_dir, db) = new_acme();

    // The built-in gateway lives inside the window: the command line says so and exits 1.
    let reason = refused(&db, &["join-link", "show"]);
    assert!(reason.contains("built-in gateway"), "{reason}");
    assert!(reason.contains("on this computer only"), "{reason}");

    let gw = gateway();
    let off = json(&gw.link(&db, &["show"]));
    assert_eq!(off["enabled"], false);
    assert!(off["code"].is_null());

    let bad = gw.link(&db, &["on", "--require", "email,shoe_size"]);
    assert_refused(&bad, 1, "\"shoe_size\" is not a field");

    let on = json(&gw.link(&db, &["on", "--approval", "--require", "email,mobile"]));
    assert_eq!(on["enabled"], true);
    assert_eq!(on["approvalRequired"], true);
    assert_eq!(on["requiredFields"], serde_json::json!(["email", "mobile"]));
    let code = on["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    assert!(on["link"].as_str().unwrap().starts_with(&gw.base));
    // The directory judges joins by the rules set here.
    let rules = Directory::open(&db).unwrap().joining_rules().unwrap();
    assert!(rules.approval_required);
    assert_eq!(rules.required_fields, ["email", "mobile"]);

    let shown = gw.link(&db, &["show"]);
    assert_eq!(json(&shown)["code"], code.as_str());
    let as_text = orgdesk(
        &db,
        &["join-link", "show", "--gateway", &gw.base, "--token-stdin"],
        Some(&format!("{}\n", gw.token)),
    );
    let as_text = text(&as_text.stdout);
    assert!(
        as_text.contains("Join link and organization code: on"),
        "{as_text}"
    );
    assert!(
        as_text.contains(&format!("Organization code:  {code}")),
        "{as_text}"
    );

    let rotated = json(&gw.link(&db, &["rotate"]));
    assert_ne!(rotated["code"], code.as_str());
    assert_eq!(json(&gw.link(&db, &["off"]))["enabled"], false);
    assert_eq!(json(&gw.link(&db, &["show"]))["enabled"], false);
    // Rotating needs a link that is on.
    assert_eq!(gw.link(&db, &["rotate"]).status.code(), Some(1));

    // A wrong token is the gateway's refusal, exit 1.
    let wrong = orgdesk(
        &db,
        &["join-link", "show", "--gateway", &gw.base, "--token-stdin"],
        Some("not-the-token\n"),
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stdout));
}

fn requested(seq: i64, username: &str, name: &str) -> Event {
    Event {
        seq,
        id: format!("e{seq}"),
        at: 1,
        kind: EventKind::JoinRequested {
            request_id: format!("jr_{username}"),
            via: JoinVia::Link,
            details: JoinerDetails {
                name: name.into(),
                email: Some(format!("{username}@example.com")),
                ..JoinerDetails::default()
            },
            account_id: Some(format!("acc_{username}")),
            username: username.into(),
            password_hash: orgdesk_core::password::hash("Blue-Kettle42").unwrap(),
            approval_required: true,
        },
    }
}

fn request_id(db: &Path, username: &str) -> String {
    let list = json(&orgdesk(
        db,
        &["requests", "list", "--state", "all", "--json"],
        None,
    ));
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == username)
        .unwrap()["id"]
        .to_string()
}

#[test]
fn requests_are_listed_searched_approved_into_a_department_and_role_and_rejected() {
    let (_dir, db) = new_acme();
    ok(&db, &["dept", "add", "Sales"]);
    {
        let mut d = Directory::open(&db).unwrap();
        let events = [
            requested(1, "noa", "Noa Levi"),
            requested(2, "omar", "Omar Haddad"),
            requested(3, "pia", "Pia Berg"),
            // "ann" is the admin's username: it cannot be approved as entered.
            requested(4, "ann", "Ann Other"),
        ];
        d.apply_gateway_events(&events, 4).unwrap();
    }

    let waiting = json(&orgdesk(&db, &["requests", "list", "--json"], None));
    assert_eq!(waiting["total"], 4);
    let found = json(&orgdesk(
        &db,
        &["requests", "list", "--search", "HADDAD", "--json"],
        None,
    ));
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["username"], "omar");
    let listed = ok(&db, &["requests", "list"]);
    assert!(listed.starts_with("4 join requests"), "{listed}");
    assert!(
        listed.contains("Noa Levi (noa)  noa@example.com"),
        "{listed}"
    );

    let (noa, omar, pia, ann) = (
        request_id(&db, "noa"),
        request_id(&db, "omar"),
        request_id(&db, "pia"),
        request_id(&db, "ann"),
    );
    // One that cannot be approved: nothing is approved, and it is named with the reason.
    let reason = refused(&db, &["requests", "approve", &noa, &ann]);
    assert!(reason.contains("Ann Other cannot be added"), "{reason}");
    assert_eq!(
        json(&orgdesk(&db, &["requests", "list", "--json"], None))["total"],
        4
    );
    let unknown = refused(&db, &["requests", "approve", &noa, "--dept", "Nowhere"]);
    assert!(unknown.contains("Nowhere"), "{unknown}");

    let approved = json(&orgdesk(
        &db,
        &[
            "requests", "approve", &noa, &omar, "--dept", "Sales", "--role", "Admin", "--json",
        ],
        None,
    ));
    assert_eq!(approved["approved"], 2);
    assert_eq!(approved["memberIds"].as_array().unwrap().len(), 2);
    let shown = json(&orgdesk(&db, &["member", "show", "noa", "--json"], None));
    let shown = shown.to_string();
    assert!(
        shown.contains("Sales") && shown.contains("Admin"),
        "{shown}"
    );

    let rejected = ok(&db, &["requests", "reject", &pia, &ann]);
    assert!(rejected.contains("Rejected 2 join requests."), "{rejected}");
    let list = json(&orgdesk(
        &db,
        &["requests", "list", "--state", "rejected", "--json"],
        None,
    ));
    assert_eq!(list["total"], 2);
    // A rejected request can be approved later, by default into the root as a Member.
    assert!(ok(&db, &["requests", "approve", &pia]).contains("Approved 1 join requests"));
    assert_eq!(
        json(&orgdesk(
            &db,
            &["requests", "list", "--state", "waiting", "--json"],
            None
        ))["total"],
        0
    );
    let bad_state = orgdesk(&db, &["requests", "list", "--state", "pending"], None);
    assert_refused(&bad_state, 1, "waiting, rejected or all");
}
