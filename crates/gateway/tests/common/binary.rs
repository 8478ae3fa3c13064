//! The gateway's binary run as its own process on a configuration file: `create-organization`
//! for a token, then serving until the caller stops it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_orgdesk-gateway");

/// Runs `create-organization --name <name>` on `config`; the API token it prints.
pub fn create_organization(config: &Path, name: &str) -> String {
    let out = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(["create-organization", "--name", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("api_token = ").map(str::to_owned))
        .expect("the token is printed")
}

/// Starts the gateway on `config`: the process, and the address its first line
/// (`listening on <address> …`) names.
pub fn serve(config: &Path) -> (Child, String) {
    serve_command(Command::new(BIN), config)
}

/// Like [`serve`], with a command the caller prepared (its environment, its program).
pub fn serve_command(mut command: Command, config: &Path) -> (Child, String) {
    command.arg("--config").arg(config);
    started(command)
}

/// Starts `command` (a gateway serving): the process, and the address its first line names.
pub fn started(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let addr = first_line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_owned();
    (child, addr)
}
