//! The whole path an invitee takes, with real programs: the gateway sends the invitation to
//! a real SMTP server (aiosmtpd), the test reads the link from the received mail, and a real
//! headless Chromium (driven through chromedriver) opens it and registers; the desktop's feed
//! then carries the `registered` event. Every process is started on loopback by the test and
//! stopped when it ends.

#[path = "../common/mod.rs"]
mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use common::smtp::gateway_with_smtp;
use common::{find_link, find_reset_link, first_mail, invitation, mail_parts, TestGateway};
use orgdesk_gateway::SystemClock;
use orgdesk_protocol::{Channel, EventKind};
use thirtyfour::prelude::*;

/// chromedriver, killed and reaped on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium-driver is installed (make test installs it)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    async fn browser(&self, profile: &std::path::Path, lang: &str) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--lang={lang}"),
        ] {
            caps.add_arg(arg).unwrap();
        }
        WebDriver::new(format!("http://127.0.0.1:{}", self.port), caps)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds an element, waiting for it: a click that submits a form or follows a link returns
/// before the next page has loaded, so every lookup waits for its page (up to 15 s).
async fn wait(driver: &WebDriver, by: By) -> WebDriverResult<WebElement> {
    driver
        .query(by)
        .wait(Duration::from_secs(15), Duration::from_millis(50))
        .first()
        .await
}

async fn title_kind(driver: &WebDriver) -> String {
    let found = wait(driver, By::Id("message-title")).await;
    let Ok(title) = found else {
        let url = driver.current_url().await.map(|u| u.to_string());
        let source = driver.source().await.unwrap_or_default();
        panic!("not a message page: {url:?}\n{source}");
    };
    title.attr("data-kind").await.unwrap().unwrap_or_default()
}

/// The text of `by` once it reads `expected` (or, after 15 s, whatever it last read): after a
/// click that loads a new page, the old page's element may still be found, or go stale while
/// it is read.
async fn wait_for_text(driver: &WebDriver, by: By, expected: &str) -> WebDriverResult<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    loop {
        if let Ok(element) = driver.find(by.clone()).await {
            match element.text().await {
                Ok(text) if text == expected => return Ok(text),
                Ok(text) => last = text,
                // Gone stale as the next page loaded: look again.
                Err(_) => {}
            }
        }
        if Instant::now() >= deadline {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The message page's kind once it is `expected` (or, after 15 s, whatever it last was), for
/// a click that leads from one message page to another.
async fn wait_for_kind(driver: &WebDriver, expected: &str) -> WebDriverResult<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    loop {
        if let Ok(title) = driver.find(By::Id("message-title")).await {
            match title.attr("data-kind").await {
                Ok(kind) if kind.as_deref() == Some(expected) => return Ok(expected.to_owned()),
                Ok(kind) => last = kind.unwrap_or_default(),
                // Gone stale as the next page loaded: look again.
                Err(_) => {}
            }
        }
        if Instant::now() >= deadline {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `text` into the field with id `id`, once it is there.
async fn type_into(driver: &WebDriver, id: &str, text: &str) -> WebDriverResult<()> {
    wait(driver, By::Id(id)).await?.send_keys(text).await
}

/// The text of what `by` finds, once it is there.
async fn text_of(driver: &WebDriver, by: By) -> WebDriverResult<String> {
    wait(driver, by).await?.text().await
}

/// The value of the input with the id `id`, once it is there.
async fn value_of(driver: &WebDriver, id: &str) -> WebDriverResult<Option<String>> {
    wait(driver, By::Id(id)).await?.value().await
}

/// Clicks what `by` finds, once it is there.
async fn click(driver: &WebDriver, by: By) -> WebDriverResult<()> {
    wait(driver, by).await?.click().await
}

/// Runs `steps` against the gateway in a fresh headless Chromium, then stops both. The steps
/// run in their own task so that a failed assertion (a panic) still reaches the cleanup:
/// quitting the session is what makes chromedriver close Chromium.
async fn in_chromium<F, Fut>(gw: TestGateway, steps: F)
where
    F: FnOnce(Arc<TestGateway>, WebDriver) -> Fut,
    Fut: std::future::Future<Output = WebDriverResult<()>> + Send + 'static,
{
    let chromedriver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path(), "en-US").await;
    let gw = Arc::new(gw);
    let result = tokio::spawn(steps(Arc::clone(&gw), driver.clone())).await;
    let _ = driver.quit().await;
    drop(chromedriver);
    if let Ok(gw) = Arc::try_unwrap(gw) {
        gw.stop().await;
    }
    match result {
        Ok(steps) => steps.expect("browser steps"),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

#[tokio::test]
async fn an_invitee_gets_the_mail_and_registers_in_chromium() {
    let (gw, smtp) = gateway_with_smtp().await;
    let inbox = smtp.inbox();
    in_chromium(gw, |gw, driver| async move {
        // Register: mail → invitation page → Join now → form → success page.
        let created = gw
            .created_invitation("k1", &invitation(Channel::Email, "li.wei@example.org"))
            .await;
        let (text, _) = mail_parts(&first_mail(&inbox).await);
        let link = find_link(&text, &gw.base).expect("the mail has the link");
        driver.goto(&link).await?;
        let heading = text_of(&driver, By::Tag("h1")).await?;
        assert_eq!(heading, "Ann Admin invites you to join Acme Ltd");
        click(&driver, By::LinkText("Join now")).await?;
        // A weak password first: the form comes back with the reason, nothing is consumed.
        type_into(&driver, "username", "li.wei").await?;
        type_into(&driver, "password", "weakweak").await?;
        type_into(&driver, "password_confirm", "weakweak").await?;
        click(&driver, By::Id("create-account")).await?;
        let alert = text_of(&driver, By::Css("[role=alert]")).await?;
        assert!(alert.contains("at least three of"), "{alert}");
        assert_eq!(
            value_of(&driver, "username").await?.as_deref(),
            Some("li.wei")
        );
        type_into(&driver, "password", "Correct-Horse1").await?;
        type_into(&driver, "password_confirm", "Correct-Horse1").await?;
        click(&driver, By::Id("create-account")).await?;
        assert_eq!(title_kind(&driver).await, "registered");
        assert_eq!(
            text_of(&driver, By::Tag("h1")).await?,
            "Welcome to Acme Ltd"
        );

        // Decline, in Chinese through the switcher.
        let other = gw.link_invitation("k2", "Zhang San").await;
        driver.goto(&other.link).await?;
        click(&driver, By::LinkText("简体中文")).await?;
        click(&driver, By::LinkText("拒绝")).await?;
        click(&driver, By::Id("decline-confirm")).await?;
        assert_eq!(title_kind(&driver).await, "declined");
        assert_eq!(text_of(&driver, By::Tag("h1")).await?, "已拒绝邀请");

        // The used link says so.
        driver.goto(&created.link).await?;
        assert_eq!(title_kind(&driver).await, "used");

        let kinds: Vec<EventKind> = gw.event_kinds().await;
        assert!(
            kinds.iter().any(
                |k| matches!(k, EventKind::Registered { username, invitation_id, .. }
            if username == "li.wei" && *invitation_id == created.invitation_id)
            ),
            "{kinds:?}"
        );
        let hash = kinds
            .iter()
            .find_map(|k| match k {
                EventKind::Registered { password_hash, .. } => Some(password_hash.clone()),
                _ => None,
            })
            .unwrap();
        let parsed = argon2::password_hash::phc::PasswordHash::new(&hash).unwrap();
        assert!(argon2::password_hash::PasswordVerifier::verify_password(
            &argon2::Argon2::default(),
            b"Correct-Horse1",
            &parsed
        )
        .is_ok());
        assert!(kinds.contains(&EventKind::Declined {
            invitation_id: other.invitation_id.clone()
        }));
        WebDriverResult::Ok(())
    })
    .await;
    drop(smtp);
}

/// A member resets a forgotten password in Chromium: the reset mail goes through aiosmtpd,
/// its link opens the reset page, a weak password comes back with the reason, a good one is
/// saved, and the member signs in on `/me` with it and signs out again.
#[tokio::test]
async fn a_member_resets_the_password_in_chromium_and_signs_in() {
    use common::members::{hash_of, mailed_reset_for_li_wei, NEW_PASSWORD, PASSWORD};

    let (gw, smtp) = gateway_with_smtp().await;
    let inbox = smtp.inbox();
    in_chromium(gw, |gw, driver| async move {
        gw.account("k1", "Li Wei", "li.wei").await;
        let created = gw.created_reset("r1", &mailed_reset_for_li_wei()).await;
        let (text, _) = mail_parts(&first_mail(&inbox).await);
        let link = find_reset_link(&text, &gw.base).expect("a reset link");
        assert_eq!(link, created.link);

        driver.goto(&link).await?;
        assert_eq!(
            text_of(&driver, By::Tag("h1")).await?,
            "Choose a new password"
        );
        let intro = text_of(&driver, By::Tag("p")).await?;
        assert_eq!(intro, "For your account li.wei at Acme Ltd.");
        // A weak password first: the form comes back with the reason.
        for id in ["password", "password_confirm"] {
            type_into(&driver, id, "weakweak").await?;
        }
        click(&driver, By::Id("save-password")).await?;
        let alert = text_of(&driver, By::Css("[role=alert]")).await?;
        assert!(alert.contains("at least three of"), "{alert}");
        for id in ["password", "password_confirm"] {
            type_into(&driver, id, NEW_PASSWORD).await?;
        }
        click(&driver, By::Id("save-password")).await?;
        assert_eq!(title_kind(&driver).await, "password_changed");

        // On to the member page: the old password is refused, the new one signs in.
        click(&driver, By::Id("message-link")).await?;
        let sign_in = |password: &'static str| {
            let driver = driver.clone();
            async move {
                type_into(&driver, "username", "li.wei").await?;
                type_into(&driver, "password", password).await?;
                click(&driver, By::Id("sign-in")).await?;
                WebDriverResult::Ok(())
            }
        };
        sign_in(PASSWORD).await?;
        let alert = text_of(&driver, By::Css("[role=alert]")).await?;
        assert_eq!(alert, "The username or password is incorrect.");
        wait(&driver, By::Id("username")).await?.clear().await?;
        sign_in(NEW_PASSWORD).await?;
        let who = text_of(&driver, By::Id("signed-in-as")).await?;
        assert_eq!(who, "Signed in as li.wei · Acme Ltd");
        assert_eq!(value_of(&driver, "name").await?.as_deref(), Some("Li Wei"));
        click(&driver, By::Id("sign-out")).await?;
        let notice = text_of(&driver, By::Id("notice")).await?;
        assert_eq!(notice, "You have signed out.");
        driver.goto(format!("{}/me", gw.base)).await?;
        assert!(wait(&driver, By::Id("sign-in")).await.is_ok());

        let kinds: Vec<EventKind> = gw.event_kinds().await;
        assert!(
            kinds.iter().any(|k| matches!(k,
                    EventKind::PasswordChanged { account_id, username, password_hash }
                    if username == "li.wei" && hash_of(password_hash, NEW_PASSWORD)
                        && account_id.is_some())),
            "{kinds:?}"
        );
        assert!(kinds.iter().any(|k| matches!(k,
                EventKind::SignedIn { account_id: Some(_), username } if username == "li.wei")));
        WebDriverResult::Ok(())
    })
    .await;
    drop(smtp);
}

/// Someone with the organization code joins in Chromium: the code page, the join form with
/// the required field, the "request sent" page and its status link, which shows the desktop's
/// decision.
#[tokio::test]
async fn a_person_joins_with_the_organization_code_in_chromium() {
    let gw = TestGateway::start(Arc::new(SystemClock), |_, _| {}).await;
    in_chromium(gw, |gw, driver| async move {
        let join_link = gw
            .put_join_link(&orgdesk_protocol::JoinLinkRules {
                organization_name: "Acme Ltd".into(),
                approval_required: true,
                required_fields: vec![orgdesk_protocol::JoinField::Email],
                expires_at: None,
            })
            .await;
        let code = join_link.code.clone().unwrap();
        driver.goto(&join_link.code_url).await?;
        // Typed the way people read it out: lower case, with a dash.
        let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
        type_into(&driver, "code", &typed).await?;
        click(&driver, By::Id("code-submit")).await?;
        assert_eq!(
            wait_for_text(&driver, By::Tag("h1"), "Join Acme Ltd").await?,
            "Join Acme Ltd"
        );
        for (id, value) in [
            ("name", "Li Wei"),
            ("email", "li.wei@example.org"),
            ("username", "li.wei"),
            ("password", "Correct-Horse1"),
            ("password_confirm", "Correct-Horse1"),
        ] {
            type_into(&driver, id, value).await?;
        }
        click(&driver, By::Id("join-submit")).await?;
        assert_eq!(title_kind(&driver).await, "join_requested");
        assert_eq!(
            text_of(&driver, By::Tag("h1")).await?,
            "Request sent — waiting for the administrator's approval"
        );
        click(&driver, By::Id("status-link")).await?;
        assert_eq!(wait_for_kind(&driver, "pending").await?, "pending");
        let status_url = driver.current_url().await?.to_string();

        let request_id = gw
            .events(0, 0)
            .await
            .events
            .into_iter()
            .find_map(|e| match e.kind {
                EventKind::JoinRequested {
                    request_id,
                    via: orgdesk_protocol::JoinVia::Code,
                    username,
                    details,
                    password_hash,
                    ..
                } => {
                    assert_eq!(username, "li.wei");
                    assert_eq!(details.email.as_deref(), Some("li.wei@example.org"));
                    let parsed =
                        argon2::password_hash::phc::PasswordHash::new(&password_hash).unwrap();
                    assert!(argon2::password_hash::PasswordVerifier::verify_password(
                        &argon2::Argon2::default(),
                        b"Correct-Horse1",
                        &parsed
                    )
                    .is_ok());
                    Some(request_id)
                }
                _ => None,
            })
            .expect("a join_requested event");
        assert_eq!(gw.decide(&request_id, true).await.status(), 200);
        driver.goto(&status_url).await?;
        assert_eq!(title_kind(&driver).await, "approved");
        WebDriverResult::Ok(())
    })
    .await;
}
