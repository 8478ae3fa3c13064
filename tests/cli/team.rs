//! `orgdesk team …` and `orgdesk sync` on computers enrolled in a team, against real gateway
//! processes: the Super Admin's computer starts team mode and enrolls a second computer, which
//! joins with the code and the password and gets the same directory (wrong codes and passwords
//! refused, a revoked computer refused at its next call; each computer's credential in its own
//! test keyring, which debug builds read instead of the system's); a computer's pending
//! commands go to the organization's change log under its device, and the log comes back
//! applied.

use std::path::{Path, PathBuf};

use orgdesk_core::auth::AdminRank;
use orgdesk_core::team::Command;
use orgdesk_core::Directory;
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::RegisterDevice;

use super::join::gateway;
use super::new_acme;
use crate::harness::{free_port, Gateway};
use crate::support::{
    assert_refused, init_acme, join_team, json, ok, orgdesk, stored_tokens, text, PASSWORD,
};

#[test]
fn sync_sends_this_computers_commands_and_applies_the_change_log() {
    let gw = gateway();
    let (_tmp, db) = new_acme();
    let sync = |token: &str, extra: &[&str]| {
        let mut args = vec!["sync", "--gateway", gw.base.as_str(), "--token-stdin"];
        args.extend(extra);
        orgdesk(&db, &args, Some(&format!("{token}\n")))
    };
    // The organization's token mirrors Ann's account and binds her to it.
    ok(&sync(&gw.token, &[]));
    let (ann, account) = {
        let d = Directory::open(&db).unwrap();
        let ann = d.initial_admin_id().unwrap();
        (ann, d.gateway_account_of(ann).unwrap().unwrap())
    };
    // This computer becomes Ann's device, and she makes a change on it.
    let admin = GatewayClient::new(Endpoint {
        base: gw.base.clone(),
        token: gw.token.clone(),
    });
    let register = RegisterDevice {
        account_id: account.clone(),
        device_name: "Office PC".into(),
    };
    let device = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(admin.register_device(&register))
        .unwrap();
    {
        let mut d = Directory::open(&db).unwrap();
        d.set_team_device_account(&account).unwrap();
        let actor = d.admin_actor(ann, AdminRank::Admin).unwrap();
        let parent_id = d.resolve_department_path("").unwrap();
        let name = "Operations".into();
        let create = Command::CreateDepartment { parent_id, name };
        d.queue_command(&actor, create).unwrap();
        assert!(d.resolve_department_path("Operations").is_err());
    }

    let said = ok(&sync(&device.device_token, &[]));
    assert!(
        said.contains("Team: 1 changes sent, 1 applied, 0 refused."),
        "{said}"
    );
    let d = Directory::open(&db).unwrap();
    assert!(d.resolve_department_path("Operations").is_ok());
    assert!(d.pending_commands().unwrap().is_empty());
    assert_eq!(d.team_cursor().unwrap(), 1);
    drop(d);
    let again = sync(&device.device_token, &["--json"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let v = json(&again);
    assert_eq!(
        (v["changesSent"].as_u64(), v["changesApplied"].as_u64()),
        (Some(0), Some(0))
    );
}

/// A directory file in a folder of its own: one computer, with its own keyring.
pub(super) fn computer(root: &Path, name: &str) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    folder.join("org.db")
}

fn join(db: &Path, url: &str, code: &str, password: &str) -> std::process::Output {
    join_team(db, url, ("ann", "Laptop"), code, password)
}

#[test]
fn a_second_computer_joins_the_team_and_holds_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut gateway = Gateway::start_on_sqlite(root, free_port());
    let url = gateway.url.clone();
    let office = computer(root, "office");
    ok(&init_acme(&office, None));
    ok(&orgdesk(
        &office,
        &["gateway", "use", &url, "--token-stdin"],
        Some(&format!("{}\n", gateway.token)),
    ));
    // Before the gateway has the admin's account, nothing starts.
    assert_refused(
        &orgdesk(&office, &["team", "start"], None),
        1,
        "no account for ann yet",
    );
    ok(&orgdesk(&office, &["sync"], None));

    let started = ok(&orgdesk(
        &office,
        &["team", "start", "--device-name", "Office PC"],
        None,
    ));
    assert!(started.contains("Snapshot uploaded"), "{started}");
    let device_token = stored_tokens(&office)[format!("device {url}")]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(device_token.starts_with("dev_"), "kept in the keyring");
    assert!(!started.contains(&device_token), "never printed");
    assert!(!std::fs::read(&office)
        .unwrap()
        .windows(device_token.len())
        .any(|w| w == device_token.as_bytes()));

    // From now on this computer reaches the gateway with its own credential, and syncs the
    // change log too.
    let synced = ok(&orgdesk(&office, &["sync"], None));
    assert!(synced.contains("Team: 0 changes sent"), "{synced}");

    let enrolled = ok(&orgdesk(
        &office,
        &["team", "enroll", "--username", "ann"],
        None,
    ));
    let code = enrolled
        .lines()
        .find_map(|l| l.strip_prefix("Enrollment code for ann: "))
        .unwrap_or_else(|| panic!("{enrolled}"))
        .trim()
        .to_owned();
    assert!(enrolled.contains("UTC"), "{enrolled}");

    // Wrong code, wrong password, no code: refused, nothing written.
    let laptop = computer(root, "laptop");
    let wrong_code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345";
    for (code, password, reason) in [
        (wrong_code, PASSWORD, "not right"),
        (code.as_str(), "Wrong-Horse1", "not right"),
        ("", PASSWORD, "enrollment code on the first line"),
    ] {
        assert_refused(&join(&laptop, &url, code, password), 1, reason);
        assert!(!laptop.exists());
        assert_eq!(stored_tokens(&laptop), serde_json::json!({}));
    }

    let joined = ok(&join(&laptop, &url, &code, PASSWORD));
    assert!(joined.contains("from the snapshot at change 0"), "{joined}");
    let checksum = |db: &Path| ok(&orgdesk(db, &["directory", "checksum"], None));
    assert_eq!(checksum(&laptop), checksum(&office));
    let joined_dir = Directory::open(&laptop).unwrap();
    assert_eq!(joined_dir.team_cursor().unwrap(), 0);
    assert!(joined_dir.team_device_account().unwrap().is_some());
    drop(joined_dir);
    assert!(stored_tokens(&laptop)[format!("device {url}")]
        .as_str()
        .unwrap()
        .starts_with("dev_"));
    // It holds no API token: it reaches the gateway with its own credential.
    assert_eq!(stored_tokens(&laptop).as_object().unwrap().len(), 1);
    let shown = json(&orgdesk(&laptop, &["gateway", "show", "--json"], None));
    assert_eq!(
        (&shown["mode"], &shown["tokenStored"], &shown["reachable"]),
        (
            &serde_json::json!("team"),
            &serde_json::json!(true),
            &serde_json::json!(true)
        ),
        "{shown}"
    );
    // Its gateway is the team's: changing it is refused, and no token is kept.
    let token = format!("{}\n", gateway.token);
    for (args, stdin) in [
        (&["gateway", "builtin"][..], None),
        (
            &["gateway", "use", &url, "--token-stdin"][..],
            Some(token.as_str()),
        ),
    ] {
        assert_refused(&orgdesk(&laptop, args, stdin), 1, "take it out of the team");
    }
    assert_eq!(stored_tokens(&laptop).as_object().unwrap().len(), 1);
    // The code is used up, and a directory is never overwritten.
    let again = computer(root, "again");
    assert_refused(&join(&again, &url, &code, PASSWORD), 1, "not right");
    assert_refused(&join(&laptop, &url, &code, PASSWORD), 1, "already exists");

    // Both see both devices; the office revokes the laptop, whose next call is refused.
    let devices = json(&orgdesk(&laptop, &["team", "devices", "--json"], None));
    let devices = devices["devices"].as_array().unwrap().clone();
    // In the order they were made, even within one second.
    let names: Vec<&str> = devices
        .iter()
        .map(|d| d["device_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Office PC", "Laptop"]);
    let named = |list: &serde_json::Value, name: &str| {
        list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device_name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no device {name} in {list}"))
    };
    let listed = ok(&orgdesk(&office, &["team", "devices"], None));
    assert!(
        listed.contains("Laptop") && listed.contains("ann"),
        "{listed}"
    );
    let laptop_device = named(&serde_json::json!({ "devices": devices }), "Laptop");
    let laptop_id = laptop_device["device_id"].as_str().unwrap();
    ok(&orgdesk(&office, &["team", "revoke", laptop_id], None));
    assert_refused(
        &orgdesk(&laptop, &["team", "devices"], None),
        1,
        "token is required",
    );
    let listed = json(&orgdesk(&office, &["team", "devices", "--json"], None));
    assert!(named(&listed, "Laptop")["revoked_at"].is_i64(), "{listed}");
    assert!(
        named(&listed, "Office PC")["revoked_at"].is_null(),
        "{listed}"
    );
    let shown = json(&orgdesk(&laptop, &["gateway", "show", "--json"], None));
    assert_eq!(shown["reachable"], false, "{shown}");
    assert_refused(
        &orgdesk(&laptop, &["sync"], None),
        1,
        "This computer was removed from the team",
    );
    gateway.kill();
}
