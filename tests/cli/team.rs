//! `orgdesk team …` against a real gateway process: the Super Admin's computer starts team
//! mode and enrolls a second computer, which joins with the code and the password and gets the
//! same directory; wrong codes and passwords are refused; a revoked computer is refused at its
//! next call. Each computer's credential lives in its own test keyring (debug builds read it
//! instead of the system's).

use std::path::{Path, PathBuf};

use crate::gateway::stored_tokens;
use crate::harness::{free_port, Gateway};
use crate::support::{assert_refused, init_acme, json, ok, orgdesk, PASSWORD};

/// A directory file in a folder of its own: one computer, with its own keyring.
fn computer(root: &Path, name: &str) -> PathBuf {
    let folder = root.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    folder.join("org.db")
}

fn join(db: &Path, url: &str, code: &str, password: &str) -> std::process::Output {
    orgdesk(
        db,
        &[
            "team",
            "join",
            url,
            "--username",
            "ann",
            "--device-name",
            "Laptop",
        ],
        Some(&format!("{code}\n{password}\n")),
    )
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
    assert!(stored_tokens(&laptop)[format!("device {url}")]
        .as_str()
        .unwrap()
        .starts_with("dev_"));
    // The code is used up, and a directory is never overwritten.
    let again = computer(root, "again");
    assert_refused(&join(&again, &url, &code, PASSWORD), 1, "not right");
    assert_refused(&join(&laptop, &url, &code, PASSWORD), 1, "already exists");

    // Both see both devices; the office revokes the laptop, whose next call is refused.
    let devices = json(&orgdesk(&laptop, &["team", "devices", "--json"], None));
    let devices = devices["devices"].as_array().unwrap().clone();
    let names: Vec<&str> = devices
        .iter()
        .map(|d| d["device_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Office PC", "Laptop"]);
    let listed = ok(&orgdesk(&office, &["team", "devices"], None));
    assert!(
        listed.contains("Laptop") && listed.contains("ann"),
        "{listed}"
    );
    let laptop_id = devices[1]["device_id"].as_str().unwrap();
    ok(&orgdesk(&office, &["team", "revoke", laptop_id], None));
    assert_refused(
        &orgdesk(&laptop, &["team", "devices"], None),
        1,
        "token is required",
    );
    let listed = json(&orgdesk(&office, &["team", "devices", "--json"], None));
    assert!(listed["devices"][1]["revoked_at"].is_i64(), "{listed}");
    gateway.kill();
}
