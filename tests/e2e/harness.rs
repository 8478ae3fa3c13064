//! Starts Xvfb and tauri-driver, opens the app, and stops them all again (tauri-driver with
//! SIGTERM: a killed driver leaves WebKitWebDriver holding its port and the next run hangs).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::support::{json, orgdesk, text};

pub const APP: &str = env!("CARGO_BIN_EXE_orgdesk");

pub struct Harness {
    xvfb: Child,
    driver: Child,
    port: u16,
    home: tempfile::TempDir,
    pub screens: PathBuf,
    /// Where the app (a debug build) takes its answers to open / save dialogs from.
    pub dialogs: PathBuf,
    /// The file the app (a debug build) reads instead of the system keyring: a link to the
    /// test keyring beside the database it opens (`use_keyring_of`).
    keyring: PathBuf,
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

/// Starts Xvfb on a free display. Another suite may pick the same number at the same moment:
/// then one server exits at once, and that side tries the next number.
fn start_xvfb(fbdir: &Path) -> (u32, Child) {
    let first = 90 + std::process::id() % 200;
    for display in first..first + 100 {
        if Path::new(&format!("/tmp/.X11-unix/X{display}")).exists()
            || Path::new(&format!("/tmp/.X{display}-lock")).exists()
        {
            continue;
        }
        let mut xvfb = Command::new("Xvfb")
            .arg(format!(":{display}"))
            .args([
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                "-nocursor",
                "-fbdir",
            ])
            .arg(fbdir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = xvfb.try_wait() {
                break;
            }
            if Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
                // Still ours a moment later: the socket is this server's.
                std::thread::sleep(Duration::from_millis(200));
                if let Ok(None) = xvfb.try_wait() {
                    return (display, xvfb);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        terminate(&mut xvfb);
    }
    panic!("no free X display for Xvfb");
}

impl Harness {
    pub fn start() -> Self {
        // A private home so the app's web storage (language choice) starts empty every run.
        let home = tempfile::tempdir().unwrap();
        // Xvfb keeps its screen in this folder as an XWD file: the screenshots come from there.
        let fbdir = home.path().join("screen");
        std::fs::create_dir_all(&fbdir).unwrap();
        let (display, xvfb) = start_xvfb(&fbdir);

        let dialogs = home.path().join("dialogs");
        std::fs::create_dir_all(&dialogs).unwrap();
        let keyring = home.path().join("test-keyring.json");
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
            .env("ORGDESK_E2E_DIALOG_DIR", &dialogs)
            .env("ORGDESK_TEST_KEYRING", &keyring)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver --locked)");
        let mut h = Harness {
            xvfb,
            driver,
            port,
            home,
            dialogs,
            keyring,
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

    /// Makes the app's keyring the test keyring of the command-line runs on `db`
    /// (`support::test_keyring`), so that the window and they hold the same credentials: one
    /// file under two names (a hard link; the keyring is rewritten in place).
    pub fn use_keyring_of(&self, db: &Path) {
        let theirs = crate::support::test_keyring(db);
        if !theirs.exists() {
            std::fs::write(&theirs, "{}").unwrap();
        }
        let _ = std::fs::remove_file(&self.keyring);
        std::fs::hard_link(&theirs, &self.keyring).unwrap();
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
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut tries = 0;
        loop {
            match WebDriver::new(url.as_str(), caps.clone()).await {
                Ok(d) => return d,
                Err(e) if tries < 2 => {
                    eprintln!("opening the app failed ({e}); trying again");
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("a WebDriver session with the app: {e}"),
            }
        }
    }

    /// The screen as it is now, as `<screens>/<name>.png`. Read from Xvfb's frame buffer rather
    /// than asked of WebKitWebDriver, whose screenshots drop the connection at times when WebKit
    /// draws without its DMA-BUF renderer (as the app chooses on a machine with no GPU). A short
    /// pause first lets the frame in flight reach the screen.
    /// Saves the screen as `target/e2e-screens/{name}.png`. A scenario's pictures start with
    /// their number in the pictures' order ("31-invitations"), and two pictures of a run never
    /// share a number; a failure's picture is named after its scenario ("FAILED-…").
    pub async fn screenshot(&self, _driver: &WebDriver, name: &str) {
        claim_picture_number(name);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let path = self.screens.join(format!("{name}.png"));
        let xwd = std::fs::read(self.home.path().join("screen/Xvfb_screen0"))
            .expect("Xvfb's frame buffer file");
        write_png(&xwd, &path).unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    }
}

/// Records that a numbered picture's number is taken, and fails when another picture of this
/// run took it.
fn claim_picture_number(name: &str) {
    static TAKEN: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let number: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return;
    }
    let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
    match taken.iter().find(|(n, _)| *n == number) {
        Some((_, other)) if other != name => {
            panic!("pictures {other:?} and {name:?} share the number {number}")
        }
        Some(_) => {}
        None => taken.push((number, name.to_owned())),
    }
}

/// Converts an XWD image (X Window Dump, as Xvfb keeps its screen; a TrueColor ZPixmap) to PNG.
fn write_png(xwd: &[u8], path: &Path) -> Result<(), String> {
    let field = |i: usize| -> Result<u32, String> {
        xwd.get(i * 4..i * 4 + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "the XWD header is cut short".to_owned())
    };
    let header_size = field(0)? as usize;
    let (format, width, height) = (field(2)?, field(4)? as usize, field(5)? as usize);
    let (byte_order, bits_per_pixel, bytes_per_line) = (field(7)?, field(11)?, field(12)? as usize);
    let masks = [field(14)?, field(15)?, field(16)?];
    let colors = field(19)? as usize;
    if format != 2 || bits_per_pixel != 32 {
        return Err(format!(
            "XWD format {format} at {bits_per_pixel} bits per pixel is not a 32-bit ZPixmap"
        ));
    }
    let start = header_size + colors * 12;
    let pixels = xwd
        .get(start..start + height * bytes_per_line)
        .ok_or_else(|| "the XWD pixels are cut short".to_owned())?;
    let channel = |v: u32, mask: u32| ((v & mask) >> mask.trailing_zeros()) as u8;
    let mut rgb = Vec::with_capacity(width * height * 3);
    for row in pixels.chunks(bytes_per_line) {
        for px in row[..width * 4].chunks(4) {
            let b = [px[0], px[1], px[2], px[3]];
            let v = if byte_order == 0 {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            };
            rgb.extend(masks.iter().map(|m| channel(v, *m)));
        }
    }
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())
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

/// The element with `data-testid`, waiting for it to appear. Menus and dialogs that closed
/// stay in the DOM hidden, so a displayed element is preferred over the first in the DOM.
pub async fn by_id(driver: &WebDriver, id: &str) -> WebElement {
    let css = format!("[data-testid='{id}']");
    let start = Instant::now();
    loop {
        let all = driver
            .find_all(By::Css(css.as_str()))
            .await
            .unwrap_or_default();
        for e in &all {
            if e.is_displayed().await.unwrap_or(false) {
                return e.clone();
            }
        }
        // Some wrappers (antd's dialog roots) never count as displayed themselves.
        if !all.is_empty() && start.elapsed() > Duration::from_secs(2) {
            return all.into_iter().next().expect("not empty");
        }
        if start.elapsed() > Duration::from_secs(15) {
            panic!("no element [data-testid='{id}']");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The element's text content. WebKit's "rendered text" leaves out what antd draws with
/// ellipsis measuring (department names, titles), so the DOM's text is what the test reads.
pub async fn text_of(el: &WebElement) -> String {
    match el.prop("textContent").await {
        Ok(Some(t)) => t,
        _ => el.text().await.unwrap_or_default(),
    }
}

/// Waits until the element's text satisfies `pred`; returns the text.
pub async fn wait_text(driver: &WebDriver, id: &str, pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let el = by_id(driver, id).await;
        let text = text_of(&el).await;
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
        // Dialogs zoom in: a click on a button still moving is lost, so wait for it to settle.
        let before = el.rect().await.ok();
        tokio::time::sleep(Duration::from_millis(80)).await;
        let after = el.rect().await.ok();
        let settled = match (before, after) {
            (Some(a), Some(b)) => {
                a.x == b.x && a.y == b.y && a.width == b.width && a.height == b.height
            }
            _ => false,
        };
        if !settled && start.elapsed() < Duration::from_secs(5) {
            continue;
        }
        match el.click().await {
            Ok(()) => return el,
            Err(e) => {
                if start.elapsed() >= Duration::from_secs(15) {
                    let over = covering(driver, &el).await;
                    panic!("[data-testid='{id}'] never took a click: {e}; on top of it: {over}");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What the window shows at the centre of `el`, for a failed click's message.
async fn covering(driver: &WebDriver, el: &WebElement) -> String {
    let script = "const r = arguments[0].getBoundingClientRect();\n\
        const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);\n\
        const chain = [];\n\
        for (let n = e; n && chain.length < 4; n = n.parentElement) {\n\
          chain.push(n.tagName + '.' + String(n.className) + '[' + (n.getAttribute('data-testid') || '') + ']');\n\
        }\n\
        return JSON.stringify({rect: [r.x, r.y, r.width, r.height], chain, html: e ? e.outerHTML.slice(0, 300) : null});";
    match el.to_json() {
        Ok(arg) => match driver.execute(script, vec![arg]).await {
            Ok(ret) => ret.json().to_string(),
            Err(e) => format!("(could not tell: {e})"),
        },
        Err(e) => format!("(could not tell: {e})"),
    }
}

/// Replaces the field's text as a person would (select all, delete, type), so React sees
/// every change; WebDriver's clear() bypasses React's change events.
pub async fn type_into(driver: &WebDriver, id: &str, text: &str) {
    let el = click_when_ready(driver, id).await;
    el.send_keys(Key::Control + "a").await.unwrap();
    el.send_keys(Key::Backspace).await.unwrap();
    if !text.is_empty() {
        el.send_keys(text).await.unwrap();
    }
}

/// Switches the window's language (`en` or `zh`) from the header's switch.
pub async fn switch_language(driver: &WebDriver, lang: &str) {
    let choice = format!("lang-{lang}");
    click_to_open(driver, "lang-switch", &choice).await;
    click(driver, &choice).await;
}

/// Back to English, which the window remembers for the scenarios after this one.
pub async fn back_to_english(driver: &WebDriver) {
    switch_language(driver, "en").await;
    wait_text(driver, "nav-directory", |t| t == "Members & Departments").await;
}

pub async fn click(driver: &WebDriver, id: &str) {
    click_when_ready(driver, id).await;
}

/// Picks `label` in the antd Select / TreeSelect marked `id`: opens it, types to filter when
/// it searches, and clicks the option whose title starts with `label`.
pub async fn choose(driver: &WebDriver, id: &str, label: &str) {
    click_when_ready(driver, id).await;
    if let Ok(active) = driver.active_element().await {
        let _ = active.send_keys(label).await;
    }
    let xpath = format!(
        "//div[contains(@class,'ant-select-dropdown') and not(contains(@class,'ant-select-dropdown-hidden'))]//*[starts-with(@title, {})]",
        xpath_literal(label)
    );
    let start = Instant::now();
    loop {
        if let Ok(opts) = driver.find_all(By::XPath(xpath.as_str())).await {
            for o in opts {
                if o.is_displayed().await.unwrap_or(false) && o.click().await.is_ok() {
                    return;
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no option {label:?} in [data-testid='{id}']"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("concat('{}')", s.replace('\'', "', \"'\", '"))
    }
}

/// Waits until some element with `data-testid` prefix `prefix` shows `text`.
pub async fn wait_until_shown(driver: &WebDriver, css: &str, text: &str) -> WebElement {
    let start = Instant::now();
    loop {
        let mut seen = Vec::new();
        match driver.find_all(By::Css(css)).await {
            Ok(all) => {
                for e in all {
                    let t = text_of(&e).await;
                    if t.contains(text) {
                        return e;
                    }
                    seen.push(t);
                }
            }
            Err(e) => seen.push(format!("error: {e}")),
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "nothing matching {css} shows {text:?}; seen {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until no element matching `css` shows `text`.
pub async fn wait_until_gone(driver: &WebDriver, css: &str, text: &str) {
    let start = Instant::now();
    loop {
        let mut found = false;
        if let Ok(all) = driver.find_all(By::Css(css)).await {
            for e in all {
                if e.is_displayed().await.unwrap_or(false) && text_of(&e).await.contains(text) {
                    found = true;
                }
            }
        }
        if !found {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{css} still shows {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the CLI on `db` and returns its JSON output.
pub fn cli_json(db: &Path, args: &[&str]) -> serde_json::Value {
    json(&succeeded(db, args, None))
}

/// The member `who` (a username or email) as `member show --json` prints it.
pub fn member_json(db: &Path, who: &str) -> serde_json::Value {
    cli_json(db, &["member", "show", who, "--json"])
}

/// Runs the CLI on `db`, feeding `stdin` (and a newline); panics unless it succeeds.
pub fn cli(db: &Path, args: &[&str], stdin: Option<&str>) {
    succeeded(db, args, stdin.map(|s| format!("{s}\n")).as_deref());
}

/// A run of the CLI on `db` that must succeed.
fn succeeded(db: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let out = orgdesk(db, args, stdin);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    out
}

/// A displayed element with `data-testid`, if one shows up within `wait`.
pub async fn displayed(driver: &WebDriver, id: &str, wait: Duration) -> Option<WebElement> {
    let css = format!("[data-testid='{id}']");
    let start = Instant::now();
    loop {
        for e in driver
            .find_all(By::Css(css.as_str()))
            .await
            .unwrap_or_default()
        {
            if e.is_displayed().await.unwrap_or(false) {
                return Some(e);
            }
        }
        if start.elapsed() > wait {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks `id` until `opens` is displayed: a click that lands while a drawer or menu is still
/// animating in is sometimes lost, and a person would simply click again.
pub async fn click_to_open(driver: &WebDriver, id: &str, opens: &str) {
    for _ in 0..4 {
        click_when_ready(driver, id).await;
        if displayed(driver, opens, Duration::from_secs(3))
            .await
            .is_some()
        {
            return;
        }
    }
    panic!("clicking [data-testid='{id}'] never opened [data-testid='{opens}']");
}

/// Waits until no element with `data-testid` is displayed (a dialog has finished closing).
pub async fn until_hidden(driver: &WebDriver, id: &str) {
    let why = format!("[data-testid='{id}'] stayed open");
    until_hidden_within(driver, id, Duration::from_secs(10), &why).await;
}

/// Waits up to `limit` until `[data-testid='{id}']` is no longer shown; `why` says what did
/// not happen otherwise.
pub async fn until_hidden_within(driver: &WebDriver, id: &str, limit: Duration, why: &str) {
    let start = Instant::now();
    while displayed(driver, id, Duration::ZERO).await.is_some() {
        assert!(start.elapsed() < limit, "{why}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
