//! The Debian package: `tools/gateway-deb/build.sh` packs the debug binary, `dpkg --root`
//! installs it into a scratch root (running its maintainer scripts there, as dpkg does with
//! DPKG_ROOT), `systemd-analyze verify` checks the installed unit, and the installed binary
//! runs the quick start of docs/gateway.md with the installed configuration: check, init, the
//! unit's own command line (the credential directory a scratch folder, the state directory in
//! the scratch root, any free port), /healthz, an invitation created with the printed token,
//! and the invitee's page. Then SIGTERM, and a purge that keeps the data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::binary::{self, BIN};
use crate::{invite, stops_on_sigterm, wait_for_eml, Server};

fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| {
        panic!("{command:?} could not run ({e}); make test installs dpkg and systemd")
    });
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// dpkg with its database in `root`, maintainer scripts run outside a chroot (DPKG_ROOT set).
fn dpkg(root: &Path) -> Command {
    let mut dpkg = Command::new("dpkg");
    dpkg.arg(format!("--root={}", root.display())).args([
        "--force-script-chrootless",
        "--force-depends",
        "--log=/dev/null",
    ]);
    dpkg
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_package_installs_and_its_binary_serves_with_the_installed_configuration() {
    let scratch = tempfile::tempdir().unwrap();
    let built = run(Command::new(repo().join("tools/gateway-deb/build.sh"))
        .arg("--binary")
        .arg(BIN)
        .arg("--out")
        .arg(scratch.path().join("out"))
        .args(["--compression", "none"]));
    let deb = PathBuf::from(stdout(&built).trim());
    let name = deb.file_name().unwrap().to_string_lossy().into_owned();
    let arch = stdout(&run(Command::new("dpkg").arg("--print-architecture")));
    assert_eq!(
        name,
        format!(
            "orgdesk-gateway_{}_{}.deb",
            env!("CARGO_PKG_VERSION"),
            arch.trim()
        )
    );
    let contents = stdout(&run(Command::new("dpkg-deb").arg("--contents").arg(&deb)));
    for path in [
        "./usr/bin/orgdesk-gateway",
        "./etc/orgdesk-gateway/gateway.toml",
        "./lib/systemd/system/orgdesk-gateway.service",
        "./usr/share/doc/orgdesk-gateway/gateway.md",
    ] {
        assert!(contents.contains(path), "{path} missing:\n{contents}");
    }
    let conffiles = run(Command::new("dpkg-deb")
        .arg("--info")
        .arg(&deb)
        .arg("conffiles"));
    assert_eq!(
        stdout(&conffiles).trim(),
        "/etc/orgdesk-gateway/gateway.toml"
    );

    // Install into the scratch root; the maintainer script makes the pepper, root's only.
    let root = scratch.path().join("root");
    for dir in ["var/lib/dpkg/updates", "var/lib/dpkg/info"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    run(dpkg(&root).arg("--install").arg(&deb));
    let etc = root.join("etc/orgdesk-gateway");
    let pepper = std::fs::read_to_string(etc.join("pepper")).unwrap();
    assert_eq!(pepper.trim().len(), 43, "32 bytes in base64url: {pepper}");
    #[cfg(unix)]
    assert_eq!(mode(&etc.join("pepper")), 0o600);
    let installed = root.join("usr/bin/orgdesk-gateway");
    let config = etc.join("gateway.toml");

    // The unit: systemd's own check, with systemd's units beside it in the scratch root.
    let units = root.join("lib/systemd/system");
    let host_units = ["/lib/systemd/system", "/usr/lib/systemd/system"]
        .into_iter()
        .find(|d| Path::new(d).join("sysinit.target").exists())
        .expect("systemd's units (make test installs systemd)");
    run(Command::new("cp")
        .args(["-a", "-n"])
        .arg(format!("{host_units}/."))
        .arg(&units));
    let verified = run(Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", root.display()))
        .arg("/lib/systemd/system/orgdesk-gateway.service"));
    let warnings = String::from_utf8_lossy(&verified.stderr);
    assert!(
        warnings.trim().is_empty(),
        "systemd-analyze verify:\n{warnings}"
    );
    let unit = std::fs::read_to_string(units.join("orgdesk-gateway.service")).unwrap();
    for key in [
        "EnvironmentFile=-/etc/orgdesk-gateway/env",
        "LimitNOFILE=8192",
        "StateDirectory=orgdesk-gateway",
        "LoadCredential=pepper:/etc/orgdesk-gateway/pepper",
        "UMask=0077",
        "DynamicUser=yes",
        "ProtectSystem=strict",
    ] {
        assert!(
            unit.lines().any(|l| l == key),
            "{key} missing from the unit"
        );
    }

    // The installed configuration passes the check as is, in the state directory.
    let state = root.join("var/lib/orgdesk-gateway");
    std::fs::create_dir_all(&state).unwrap();
    let checked = run(Command::new(&installed)
        .arg("--config")
        .arg(&config)
        .arg("check")
        .env("STATE_DIRECTORY", &state));
    assert!(
        stdout(&checked).contains("ok   mail:"),
        "{}",
        stdout(&checked)
    );

    // Quick start: init (over the installed configuration), keeping the package's pepper.
    let init = run(Command::new(&installed)
        .arg("--config")
        .arg(&config)
        .args(["init", "--force", "--org", "Acme Ltd", "--state-dir"])
        .arg(&state));
    let init_out = stdout(&init);
    let token = init_out
        .lines()
        .find_map(|l| l.strip_prefix("api_token = "))
        .expect("the token is printed")
        .to_owned();
    assert_eq!(std::fs::read_to_string(etc.join("pepper")).unwrap(), pepper);

    // The unit's own command line: %d is the credential directory, where systemd copies the
    // pepper (LoadCredential=); the rest is taken in the scratch root.
    let credentials = scratch.path().join("credentials");
    std::fs::create_dir_all(&credentials).unwrap();
    std::fs::copy(etc.join("pepper"), credentials.join("pepper")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    let mut words = exec.split_whitespace().map(|word| {
        let word = word.replace("%d", &credentials.to_string_lossy());
        match word.strip_prefix('/') {
            Some(rest) if !word.starts_with(&*credentials.to_string_lossy()) => {
                root.join(rest).to_string_lossy().into_owned()
            }
            _ => word,
        }
    });
    let mut command = Command::new(words.next().unwrap());
    command
        .args(words)
        .args(["--listen", "127.0.0.1:0"])
        .env("STATE_DIRECTORY", &state);
    let (child, addr) = binary::started(command);
    let mut server = Server(child);

    let client = reqwest::Client::new();
    let health = client.get(format!("http://{addr}/healthz")).send().await;
    assert_eq!(health.unwrap().status(), 200);
    let ready = client.get(format!("http://{addr}/readyz")).send().await;
    assert_eq!(ready.unwrap().status(), 200);
    let created = invite(&addr, &token, "quick-start-1", "email").await;
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let link = body["link"].as_str().expect("the link").to_owned();
    assert!(link.starts_with(&format!("http://{addr}/i/")), "{link}");
    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Acme Ltd") && page.contains("Li Wei"),
        "{page}"
    );
    // The database and the mail folder are in the state directory.
    assert!(state.join("gateway.db").exists());
    wait_for_eml(&state.join("outgoing-mail")).await;

    stops_on_sigterm(&mut server);

    // A purge removes the package and its configuration, never the data.
    run(dpkg(&root).args(["--purge", "orgdesk-gateway"]));
    assert!(!installed.exists() && !config.exists());
    assert!(etc.join("pepper").exists() && state.join("gateway.db").exists());
}
