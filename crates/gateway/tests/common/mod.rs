//! Helpers shared by the gateway's test suites: start a gateway on port 0, talk to it over
//! real HTTP, and pick apart pages and mail.
#![allow(dead_code)] // each suite uses a different subset

pub mod binary;
pub mod identity_migration;
pub mod loopback;
pub mod member_scenarios;
pub mod members;
pub mod postgres;
pub mod probes;
pub mod providers;
pub mod smtp;
#[macro_use]
pub mod guard_scenarios;
#[macro_use]
pub mod identity_scenarios;
#[macro_use]
pub mod join_scenarios;
#[macro_use]
pub mod scenarios;
pub mod change_scenarios;
pub mod snapshot_scenarios;
#[macro_use]
pub mod team_scenarios;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orgdesk_gateway::config::{Config, MailConfig};
use orgdesk_gateway::store::GatewayStore;
use orgdesk_gateway::{Clock, Gateway, ManualClock, Options, OrganizationCredentials, Pepper};
use orgdesk_protocol::{Channel, CreateInvitation, EventKind, EventsPage, InvitationCreated};
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::StatusCode;

pub struct TestGateway {
    pub gateway: Option<Gateway>,
    pub base: String,
    pub creds: OrganizationCredentials,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

impl TestGateway {
    /// A gateway on 127.0.0.1:0 with its own database, mail into `dir/mail` unless
    /// `adjust` says otherwise.
    pub async fn start(clock: Arc<dyn Clock>, adjust: impl FnOnce(&mut Config, &Path)) -> Self {
        Self::start_on(clock, adjust, None).await
    }

    /// Like [`TestGateway::start`], on the given store instead of a fresh SQLite file.
    pub async fn start_on(
        clock: Arc<dyn Clock>,
        adjust: impl FnOnce(&mut Config, &Path),
        store: Option<Arc<dyn GatewayStore>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::local(
            dir.path().join("gateway.db").to_string_lossy().into_owned(),
            dir.path().join("mail"),
        );
        config.delivery.poll_interval_ms = 50;
        config.delivery.expiry_check_interval_ms = 100;
        adjust(&mut config, dir.path());
        let options = Options {
            clock,
            pepper: Some(Pepper::ephemeral()),
        };
        let gateway = match store {
            Some(store) => orgdesk_gateway::serve_store(config, options, store).await,
            None => orgdesk_gateway::serve_with(config, options).await,
        }
        .expect("gateway starts");
        let base = format!("http://{}", gateway.local_addr());
        let creds = gateway.create_organization("Acme").await.expect("org");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(40))
            .build()
            .expect("client");
        Self {
            gateway: Some(gateway),
            base,
            creds,
            client,
            dir,
        }
    }

    pub async fn manual() -> (Self, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::starting_now());
        let gw = Self::start(clock.clone(), |_, _| {}).await;
        (gw, clock)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    pub async fn stop(mut self) {
        if let Some(g) = self.gateway.take() {
            tokio::time::timeout(Duration::from_secs(10), g.shutdown())
                .await
                .expect("gateway stops in time")
                .expect("gateway stops cleanly");
        }
    }

    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.creds.api_token)
    }

    /// Sends an API request without a body.
    pub async fn call(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        self.api(method, path).send().await.unwrap()
    }

    /// `POST /api/v1/invitations/{invitation_id}/{action}` (`resend`, `cancel`).
    pub async fn invitation_action(&self, invitation_id: &str, action: &str) -> reqwest::Response {
        let path = format!("/api/v1/invitations/{invitation_id}/{action}");
        self.call(reqwest::Method::POST, &path).await
    }

    /// Sends an API request with `body` as JSON.
    pub async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        self.api(method, path).json(body).send().await.unwrap()
    }

    /// A plain GET of `path` (no token, no cookie), as a probe or a browser asks.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn create(&self, key: &str, req: &CreateInvitation) -> reqwest::Response {
        self.api(reqwest::Method::POST, "/api/v1/invitations")
            .header("Idempotency-Key", key)
            .json(req)
            .send()
            .await
            .expect("create request")
    }

    /// Creates an invitation and reads the answer as created.
    pub async fn created_invitation(&self, key: &str, req: &CreateInvitation) -> InvitationCreated {
        self.create(key, req).await.json().await.unwrap()
    }

    /// Creates a link invitation to `recipient` and reads the answer as created.
    pub async fn link_invitation(&self, key: &str, recipient: &str) -> InvitationCreated {
        self.created_invitation(key, &invitation(Channel::Link, recipient))
            .await
    }

    /// The running gateway's store.
    pub fn store(&self) -> std::sync::Arc<dyn GatewayStore> {
        self.gateway.as_ref().expect("running").store()
    }

    /// A second organization on the same gateway.
    pub async fn another_organization(&self, name: &str) -> OrganizationCredentials {
        let gateway = self.gateway.as_ref().expect("running");
        gateway.create_organization(name).await.unwrap()
    }

    /// The kinds of the feed's first page of events.
    pub async fn event_kinds(&self) -> Vec<EventKind> {
        self.events(0, 0)
            .await
            .events
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }

    pub async fn events(&self, after: i64, wait: u64) -> EventsPage {
        let r = self
            .api(
                reqwest::Method::GET,
                &format!("/api/v1/events?after={after}&limit=100&wait={wait}"),
            )
            .send()
            .await
            .expect("events request");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("events page")
    }

    /// Polls the feed until an event matches, for at most `secs` seconds.
    pub async fn wait_for_event(&self, secs: u64, pred: impl Fn(&EventKind) -> bool) -> EventKind {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let page = self.events(0, 1).await;
            if let Some(e) = page.events.into_iter().find(|e| pred(&e.kind)) {
                return e.kind;
            }
            assert!(
                Instant::now() < deadline,
                "no matching event within {secs}s"
            );
        }
    }

    /// GET a page (no cookies kept between calls: the tests pass them explicitly).
    /// The page at `url` as a browser preferring `accept_language` gets it.
    pub async fn page_in(&self, url: &str, accept_language: &str) -> String {
        self.client
            .get(url)
            .header("Accept-Language", accept_language)
            .send()
            .await
            .expect("page request")
            .text()
            .await
            .unwrap()
    }

    pub async fn get(&self, url: &str, cookie: Option<&str>) -> Page {
        let mut req = self.client.get(url);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        Page::from(req.send().await.expect("page request")).await
    }

    pub async fn post_form(&self, url: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
        let mut req = self.client.post(url).form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        Page::from(req.send().await.expect("form post")).await
    }

    /// Opens the form at `url`, then submits it with its own CSRF token and cookie and
    /// `fields`.
    pub async fn submit_own_form(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(url, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.cookie().is_some(), "the form sets a CSRF cookie");
        self.post_back(&form, url, fields).await
    }

    /// Posts the register form of `link`, opened earlier as `form`, for `username`.
    pub async fn post_registration(
        &self,
        form: &Page,
        link: &str,
        username: &str,
        password: &str,
    ) -> Page {
        let url = format!("{link}/register");
        self.post_back(form, &url, &registration(username, password))
            .await
    }

    /// Opens the form at `url`: the CSRF cookie it sets, and its CSRF token.
    pub async fn open_form(&self, url: &str) -> (String, String) {
        let form = self.get(url, None).await;
        let cookie = form.cookie().expect("the form sets a CSRF cookie");
        let csrf = form.hidden("csrf").expect("the form has a CSRF token");
        (cookie, csrf)
    }

    /// Posts to `url` what a browser that opened `form` sends: the form's cookie and CSRF
    /// token, and `fields`.
    pub async fn post_back(&self, form: &Page, url: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = form.hidden("csrf").expect("the form has a CSRF token");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form(url, form.cookie().as_deref(), &all).await
    }

    /// Opens the register form, then submits it with its own CSRF token and cookie.
    pub async fn register(&self, link: &str, username: &str, password: &str) -> Page {
        self.submit_own_form(
            &format!("{link}/register"),
            &registration(username, password),
        )
        .await
    }
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.text().await.expect("page body");
        Self {
            status,
            headers,
            body,
        }
    }

    /// `name=value` of the cookie the page sets, ready for a Cookie header.
    pub fn cookie(&self) -> Option<String> {
        let set = self.headers.get(SET_COOKIE)?.to_str().ok()?;
        Some(set.split(';').next()?.to_owned())
    }

    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }

    /// Fails, showing the page, unless it contains `text`.
    #[track_caller]
    pub fn assert_shows(&self, text: &str) {
        assert!(self.body.contains(text), "{}", self.body);
    }

    /// Asserts that this is the message page `kind`, answered with `status`.
    pub fn assert_is(&self, status: StatusCode, kind: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.kind(), Some(kind), "{}", self.body);
    }

    /// The `data-kind` of a message page: registered, declined, expired, used, cancelled, …
    pub fn kind(&self) -> Option<&str> {
        let marker = "data-kind=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(&self.body[start..start + end])
    }
}

/// The JSON body of a `201 Created` answer; any other status fails the test.
pub async fn created<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> T {
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    r.json().await.unwrap()
}

/// Sends an API request and reads its JSON answer.
pub async fn json_of<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> T {
    req.send().await.unwrap().json().await.unwrap()
}

pub fn invitation(channel: Channel, recipient: &str) -> CreateInvitation {
    CreateInvitation {
        channel,
        recipient: recipient.to_owned(),
        invitee_name: "Li Wei".to_owned(),
        organization_name: "Acme Ltd".to_owned(),
        department_label: "Engineering".to_owned(),
        position_label: "Engineer".to_owned(),
        inviter_name: "Ann Admin".to_owned(),
        expires_in_secs: None,
        locale: None,
    }
}

/// The register form's fields: a username and the password twice.
pub fn registration<'a>(username: &'a str, password: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("username", username),
        ("password", password),
        ("password_confirm", password),
    ]
}

/// Asserts that an API answer has `status` and carries the error `code`.
pub async fn assert_api_error(answer: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(answer.status(), status);
    assert_eq!(error_code(answer).await, code);
}

/// The error code an API answer carries.
pub async fn error_code(answer: reqwest::Response) -> String {
    answer
        .json::<orgdesk_protocol::ApiError>()
        .await
        .unwrap()
        .code
}

/// The files in a folder (not starting with a dot), sorted.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Waits until `dir` holds at least `n` files; returns them.
pub async fn wait_for_files(dir: &Path, n: usize, secs: u64) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let files = files_in(dir);
        if files.len() >= n {
            return files;
        }
        assert!(
            Instant::now() < deadline,
            "{n} file(s) not in {} within {secs}s",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The decoded text/plain and text/html parts of a MIME message.
/// Parts are cut at the message's own boundaries (`boundary="…"`), never at any line that
/// starts with "--": a quoted-printable line may start so where a long link was wrapped.
pub fn mail_parts(raw: &str) -> (String, String) {
    let raw = raw.replace("\r\n", "\n");
    let boundaries: Vec<&str> = raw
        .split("boundary=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let mut parts = vec![raw.as_str()];
    for boundary in &boundaries {
        let delimiter = format!("\n--{boundary}");
        parts = parts.iter().flat_map(|p| p.split(&delimiter)).collect();
    }
    let (mut text, mut html) = (String::new(), String::new());
    for part in parts {
        let Some((head, body)) = part.split_once("\n\n") else {
            continue;
        };
        let head_l = head.to_ascii_lowercase();
        let decoded = if head_l.contains("content-transfer-encoding: base64") {
            let joined: String = body
                .split_whitespace()
                .take_while(|l| !l.starts_with("--"))
                .collect();
            let bytes =
                <base64ct::Base64 as base64ct::Encoding>::decode_vec(&joined).expect("base64 part");
            String::from_utf8(bytes).expect("utf-8 part")
        } else if head_l.contains("content-transfer-encoding: quoted-printable") {
            decode_qp(body)
        } else {
            body.to_owned()
        };
        if head_l.contains("content-type: text/plain") {
            text = decoded;
        } else if head_l.contains("content-type: text/html") {
            html = decoded;
        }
    }
    (text, html)
}

fn decode_qp(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first `…/i/<token>` link in a text.
pub fn find_link(text: &str, base: &str) -> Option<String> {
    find_link_under(text, &format!("{base}/i/"))
}

/// The first password reset link (`BASE/r/…`) in `text`.
pub fn find_reset_link(text: &str, base: &str) -> Option<String> {
    find_link_under(text, &format!("{base}/r/"))
}

fn find_link_under(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// The raw text of the first mail to arrive in `inbox` (waiting up to 15 s for it).
pub async fn first_mail(inbox: &Path) -> String {
    let file = wait_for_files(inbox, 1, 15).await.remove(0);
    std::fs::read_to_string(file).unwrap()
}

pub fn link_mailer(config: &mut Config, dir: &Path) {
    config.mail = MailConfig::File {
        dir: dir.join("mail"),
        from: "Orgdesk <noreply@example.org>".into(),
    };
}

/// A self-signed certificate for 127.0.0.1, made with the openssl command.
pub fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}
