//! Servers the suites start on loopback: a free port, waiting until a port listens, and a
//! throwaway PostgreSQL cluster from Debian's packages. The desktop's fault suite includes
//! this file too.
#![allow(dead_code)] // each suite uses a different subset

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (up to 30 s) until something listens on `port`; `what` names it if nothing does.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the tests run as root. PostgreSQL refuses to, and then runs as Debian's
/// `postgres` user.
pub fn runs_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL cluster: initdb in a folder of its own, trust authentication,
/// loopback only. Stopped immediately (it holds nothing worth keeping) when dropped.
pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres_user: bool,
}

impl PgCluster {
    /// Creates a cluster in `home` (an existing folder the cluster may take over) on a free
    /// port, and starts it.
    pub fn start_in(home: &Path) -> Self {
        let as_postgres_user = runs_as_root();
        if as_postgres_user {
            run_tool(Command::new("chown").arg("postgres").arg(home));
        }
        let cluster = Self {
            bin: newest_bin_dir(),
            data: home.join("data"),
            port: free_port(),
            as_postgres_user,
        };
        run_tool(
            cluster
                .command("initdb")
                .arg("-D")
                .arg(&cluster.data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
        );
        cluster.start_again();
        cluster
    }

    /// The URL of `database` on this cluster, as the superuser.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Starts the server (again) and waits until it listens.
    pub fn start_again(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -F",
            self.port,
            self.data.display()
        );
        run_tool(
            self.command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .args(["-o", &opts, "-l"])
                .arg(self.data.with_file_name("postgres.log"))
                .args(["-w", "-t", "30", "start"]),
        );
        wait_for_port(self.port, "PostgreSQL");
    }

    /// Stopped as a crash would stop it: `immediate` aborts every session without a
    /// checkpoint.
    pub fn stop(&self) {
        run_tool(&mut self.immediate_stop());
    }

    fn immediate_stop(&self) -> Command {
        let mut stop = self.command("pg_ctl");
        stop.arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]);
        stop
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .immediate_stop()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest installed PostgreSQL's bin folder.
fn newest_bin_dir() -> PathBuf {
    installed_bin_dir().expect("an initdb under /usr/lib/postgresql (make test installs it)")
}

/// The newest installed PostgreSQL's bin folder, if there is one with an `initdb`.
fn installed_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// Whether a PostgreSQL server can be started here (Debian's `postgresql` is installed).
pub fn postgres_installed() -> bool {
    installed_bin_dir().is_some()
}

/// Runs a tool that must succeed.
pub fn run_tool(cmd: &mut Command) {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
