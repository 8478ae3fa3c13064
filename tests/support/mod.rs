//! What the suites that drive the real `orgdesk` binary share (each suite uses a part).
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The `orgdesk --db DB` command without a display. Gateway tokens go to the test keyring
/// beside the database (`test_keyring`), never to the system's.
pub fn orgdesk_command(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_orgdesk"));
    command
        .arg("--db")
        .arg(db)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("ORGDESK_TEST_KEYRING", test_keyring(db));
    command
}

/// Runs `orgdesk --db DB ARGS…` (see `orgdesk_command`), feeding `stdin` when given.
pub fn orgdesk(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = orgdesk_command(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the orgdesk binary starts");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// The file that stands in for the system keyring of the `orgdesk` runs on `db` (debug builds
/// read `ORGDESK_TEST_KEYRING`): a JSON object from gateway address to token.
pub fn test_keyring(db: &Path) -> std::path::PathBuf {
    db.with_file_name("test-keyring.json")
}

/// What the test keyring of the `orgdesk` runs on `db` holds.
pub fn stored_tokens(db: &Path) -> serde_json::Value {
    std::fs::read(test_keyring(db))
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or_else(|_| serde_json::json!({}))
}

/// The password the suites set up their admins with.
pub const PASSWORD: &str = "Correct-Horse1";

/// `orgdesk org init`: organization "Acme", admin "ann" (named `admin_name` when given) with
/// `PASSWORD` read from standard input.
pub fn init_acme(db: &Path, admin_name: Option<&str>) -> Output {
    init_acme_with(db, admin_name, PASSWORD)
}

/// `init_acme` with another password.
pub fn init_acme_with(db: &Path, admin_name: Option<&str>, password: &str) -> Output {
    let mut args = vec!["org", "init", "--name", "Acme", "--admin", "ann"];
    if let Some(name) = admin_name {
        args.extend(["--admin-name", name]);
    }
    args.push("--password-stdin");
    orgdesk(db, &args, Some(&format!("{password}\n")))
}

/// `member add` arguments for Bob Stone (username "bob", password from standard input) in
/// `dept` (paths separated by ";"), followed by `extra` (role, email, …).
pub fn bob_stone<'a>(dept: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    member_add("Bob Stone", "bob", dept, extra)
}

/// `member add` arguments for `name` (`username`, password from standard input) in `dept`
/// (paths separated by ";"), followed by `extra` (role, email, …).
pub fn member_add<'a>(
    name: &'a str,
    username: &'a str,
    dept: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "member",
        "add",
        "--name",
        name,
        "--username",
        username,
        "--password-stdin",
        "--dept",
        dept,
    ];
    args.extend_from_slice(extra);
    args
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The output of a run that must have exited 0.
pub fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The error output of a run that must have exited with `code`.
pub fn failed(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{} / {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

/// Asserts that a run exited with `code` and said `reason` on its error output.
pub fn assert_refused(out: &Output, code: i32, reason: &str) {
    let err = failed(out, code);
    assert!(err.contains(reason), "{reason}: {err}");
}

/// The departments of a member as `member show --json` prints it, each named by `key`
/// ("departmentPath" or "departmentName") and marked whether it is the primary one.
pub fn positions(member: &serde_json::Value, key: &str) -> Vec<(String, bool)> {
    member["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[key].as_str().unwrap().to_owned(),
                p["isPrimary"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Asserts that `text` holds each of `expected`.
pub fn assert_holds_all(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e:?} missing in:\n{text}");
    }
}

/// The JSON a run printed.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", text(&out.stdout), text(&out.stderr)))
}

/// `orgdesk team join URL` on `db` as the admin `username`, naming the computer `device`, with
/// the enrollment `code` and `password` on standard input.
pub fn join_team(
    db: &Path,
    url: &str,
    (username, device): (&str, &str),
    code: &str,
    password: &str,
) -> Output {
    let args = [
        "team",
        "join",
        url,
        "--username",
        username,
        "--device-name",
        device,
    ];
    orgdesk(db, &args, Some(&format!("{code}\n{password}\n")))
}

/// Enrolls the admin `username`'s computer from `from` and joins it at `db` from the snapshot
/// (`PASSWORD`).
pub fn enroll_and_join(from: &Path, db: &Path, url: &str, username: &str) {
    let enrolled = ok(&orgdesk(
        from,
        &["team", "enroll", "--username", username],
        None,
    ));
    let code = enrolled
        .lines()
        .find_map(|l| l.split_once(": ").map(|(_, c)| c.trim().to_owned()))
        .unwrap_or_else(|| panic!("{enrolled}"));
    let device = format!("{username}'s computer");
    ok(&join_team(db, url, (username, &device), &code, PASSWORD));
}
