//! Starts Xvfb and tauri-driver, opens the app, and stops them all again (tauri-driver with
//! SIGTERM: a killed driver leaves WebKitWebDriver holding its port and the next run hangs).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

pub const APP: &str = env!("CARGO_BIN_EXE_orgdesk");

pub struct Harness {
    xvfb: Child,
    driver: Child,
    port: u16,
    _home: tempfile::TempDir,
    pub screens: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < timeout,
            "{what} did not become ready in {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return p.into();
    }
    let cargo_bin = dirs_home().join(".cargo/bin/tauri-driver");
    if cargo_bin.exists() {
        cargo_bin
    } else {
        PathBuf::from("tauri-driver")
    }
}

fn dirs_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/root".into())
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Harness {
    pub fn start() -> Self {
        let display = (90..400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free X display number");
        let xvfb = Command::new("Xvfb")
            .arg(format!(":{display}"))
            .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        wait_for("Xvfb", Duration::from_secs(10), || {
            Path::new(&format!("/tmp/.X11-unix/X{display}")).exists()
        });

        // A private home so the app's web storage (language choice) starts empty every run.
        let home = tempfile::tempdir().unwrap();
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", format!(":{display}"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en_US")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver --locked)");
        let mut h = Harness {
            xvfb,
            driver,
            port,
            _home: home,
            screens: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screens"),
        };
        std::fs::create_dir_all(&h.screens).unwrap();
        let port = h.port;
        let driver = &mut h.driver;
        wait_for("tauri-driver", Duration::from_secs(15), || {
            if let Ok(Some(status)) = driver.try_wait() {
                panic!("tauri-driver exited early: {status}");
            }
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        h
    }

    /// Opens the app on the database at `db`.
    pub async fn launch(&self, db: &Path) -> WebDriver {
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry").unwrap();
        caps.set(
            "tauri:options",
            serde_json::json!({
                "application": APP,
                "args": ["--db", db.to_str().unwrap()],
            }),
        )
        .unwrap();
        WebDriver::new(format!("http://127.0.0.1:{}", self.port), caps)
            .await
            .expect("a WebDriver session with the app")
    }

    pub async fn screenshot(&self, driver: &WebDriver, name: &str) {
        let path = self.screens.join(format!("{name}.png"));
        driver.screenshot(&path).await.expect("screenshot");
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        terminate(&mut self.driver);
        terminate(&mut self.xvfb);
    }
}

/// Sets up an organization in `db` through the command line, as a scripting admin would.
pub fn init_org(db: &Path, name: &str, admin: &str, password: &str) {
    use std::io::Write;
    let mut child = Command::new(APP)
        .arg("--db")
        .arg(db)
        .args([
            "org",
            "init",
            "--name",
            name,
            "--admin",
            admin,
            "--admin-name",
            "Ann Lee",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    assert!(child.wait().unwrap().success(), "org init");
}

/// The element with `data-testid`, waiting for it to appear.
pub async fn by_id(driver: &WebDriver, id: &str) -> WebElement {
    driver
        .query(By::Css(format!("[data-testid='{id}']")))
        .wait(Duration::from_secs(15), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|e| panic!("no element [data-testid='{id}']: {e}"))
}

/// Waits until the element's text satisfies `pred`; returns the text.
pub async fn wait_text(driver: &WebDriver, id: &str, pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let el = by_id(driver, id).await;
        let text = el.text().await.unwrap_or_default();
        if pred(&text) {
            return text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "[data-testid='{id}'] text stayed {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks once the element takes clicks: right after a screen appears it may still be
/// animating in, and WebKit then answers "element not interactable".
pub async fn click_when_ready(driver: &WebDriver, id: &str) -> WebElement {
    let start = Instant::now();
    loop {
        let el = by_id(driver, id).await;
        match el.click().await {
            Ok(()) => return el,
            Err(e) => {
                assert!(
                    start.elapsed() < Duration::from_secs(15),
                    "[data-testid='{id}'] never took a click: {e}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Replaces the field's text as a person would (select all, delete, type), so React sees
/// every change; WebDriver's clear() bypasses React's change events.
pub async fn type_into(driver: &WebDriver, id: &str, text: &str) {
    let el = click_when_ready(driver, id).await;
    el.send_keys(Key::Control + "a").await.unwrap();
    el.send_keys(Key::Backspace).await.unwrap();
    el.send_keys(text).await.unwrap();
}

pub async fn click(driver: &WebDriver, id: &str) {
    click_when_ready(driver, id).await;
}
