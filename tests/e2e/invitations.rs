//! Invitations through the built-in gateway, clicked through in the real window: send an
//! invitation, read the mail the gateway wrote, register through the link the way an invitee's
//! browser does, and see the member join.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::harness::{
    by_id, click, click_to_open, member_json, text_of, wait_text, wait_until_shown,
};
use crate::scenarios::{sign_in, Ctx, PASSWORD};

const INVITEE_PASSWORD: &str = "Blue-Kettle42";

fn member_id(db: &std::path::Path, who: &str) -> i64 {
    member_json(db, who)["id"].as_i64().unwrap()
}

/// What an invitee's browser does: open the register form, keep its CSRF cookie, submit.
async fn register(link: &str, username: &str, password: &str) -> String {
    let fields = [
        ("username", username),
        ("password", password),
        ("password_confirm", password),
    ];
    crate::join::submit_form(&format!("{link}/register"), &fields).await
}

/// Presses Escape until the dialog or drawer holding `inside` has closed.
pub(crate) async fn close_with_escape(d: &WebDriver, inside: &str) {
    let started = Instant::now();
    while crate::harness::displayed(d, inside, Duration::ZERO)
        .await
        .is_some()
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{inside} stayed open"
        );
        d.action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

async fn wait_state(d: &WebDriver, id: &str, want: &str) {
    let started = Instant::now();
    loop {
        if let Ok(el) = d.find(By::Css(format!("[data-testid='{id}']"))).await {
            if text_of(&el).await == want {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{id} never became {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The people of the directory scenarios, and one more invitee so that Ivy is not on the
/// table's last row (WebKitGTK's overlay scrollbar takes clicks there).
pub fn prepare(db: &std::path::Path) {
    crate::directory::prepare_people(db);
    crate::harness::cli(
        db,
        &[
            "member",
            "invite-add",
            "--name",
            "Zoe Last",
            "--mobile",
            "+14155550123",
            "--dept",
            "Sales",
        ],
        None,
    );
}

/// Send by email from the member's details, follow it in Invitations and Sent mail, register
/// through the link, and the member is Enabled with the username they chose.
pub async fn invite_by_email_and_join(c: Ctx) {
    let d = &c.d;
    sign_in(d, "ann", PASSWORD).await;
    click(d, "nav-directory").await;
    let ivy = member_id(&c.db, "ivy@example.com");
    by_id(d, "member-table").await;
    click_to_open(d, &format!("member-name-{ivy}"), "action-invite").await;

    wait_text(d, "detail-invitation-state", |t| t == "Not sent yet").await;
    click_to_open(d, "action-invite", "invite-send").await;
    // The built-in gateway sends nothing: the dialog says so before anything is sent.
    wait_text(d, "builtin-mode-notice", |t| {
        t.contains("On this computer only")
    })
    .await;
    c.h.screenshot(d, "30-invite-dialog").await;
    click(d, "invite-send").await;
    wait_text(d, "detail-invitation-state", |t| {
        t.starts_with("Kept on this computer (not sent)")
    })
    .await;
    close_with_escape(d, "action-invite").await;

    click(d, "nav-invitations").await;
    let row = wait_until_shown(
        d,
        "[data-testid='invitations-table'] tbody tr[data-row-key]",
        "Ivy Invite",
    )
    .await;
    let inv = row.attr("data-row-key").await.unwrap().unwrap();
    wait_state(
        d,
        &format!("invitation-state-{inv}"),
        "Kept on this computer (not sent)",
    )
    .await;
    wait_text(d, "gateway-status", |t| {
        t.contains("Gateway connected (on this computer only)")
    })
    .await;
    c.h.screenshot(d, "31-invitations").await;

    // Its message, kept on this computer, is read from its row.
    click_to_open(
        d,
        &format!("invitation-message-{inv}"),
        "invitation-mail-drawer",
    )
    .await;
    wait_text(d, "sent-mail-to", |t| t.contains("ivy@example.com")).await;
    wait_text(d, "local-only-link", |t| {
        t.contains("This link opens only on this computer")
    })
    .await;
    // The drawer slides in for 0.3 s: the picture is taken once it stands still.
    tokio::time::sleep(Duration::from_millis(400)).await;
    c.h.screenshot(d, "31b-kept-invitation-message").await;
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .unwrap();

    click_to_open(d, &format!("invitation-link-{inv}"), "invitation-link-text").await;
    let shown_link = by_id(d, "invitation-link-text")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(shown_link.contains("/i/"), "{shown_link}");
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .unwrap();

    click_to_open(d, "sent-mail-open", "sent-mail-item").await;
    wait_until_shown(d, "[data-testid='sent-mail-item']", "ivy@example.com").await;
    click_to_open(d, "sent-mail-item", "sent-mail-text").await;
    let text = text_of(&by_id(d, "sent-mail-text").await).await;
    assert!(
        text.contains("Ann Lee"),
        "the mail names the inviter: {text}"
    );
    assert!(
        text.contains("Acme"),
        "the mail names the organization: {text}"
    );
    let link = text_of(&by_id(d, "sent-mail-link").await).await;
    assert_eq!(
        link.trim(),
        shown_link.trim(),
        "the mail carries the link shown in the app"
    );
    c.h.screenshot(d, "32-sent-mail").await;
    click(d, "sent-mail-back").await;
    d.action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .unwrap();

    let page = register(link.trim(), "ivy.invite", INVITEE_PASSWORD).await;
    assert!(page.contains("data-kind=\"registered\""), "{page}");

    wait_state(d, &format!("invitation-state-{inv}"), "Joined").await;
    let shown = member_json(&c.db, "ivy.invite");
    assert_eq!(shown["status"], "enabled");
    assert_eq!(shown["name"], "Ivy Invite");
    c.h.screenshot(d, "33-invitation-joined").await;

    click(d, "nav-directory").await;
    click_to_open(d, &format!("member-name-{ivy}"), "detail-username").await;
    wait_text(d, "detail-username", |t| t == "ivy.invite").await;
    wait_text(d, "detail-status", |t| t.contains("Enabled")).await;

    // A forgotten password: the admin makes a reset link, the member chooses a new password,
    // and the change comes back through the feed into the member's history.
    click_to_open(d, "action-reset-password", "reset-send").await;
    click(d, "reset-channel-link").await;
    click(d, "reset-send").await;
    let reset_link = {
        let started = Instant::now();
        loop {
            if let Some(el) = crate::harness::displayed(d, "reset-link", Duration::ZERO).await {
                break el.prop("value").await.unwrap().unwrap_or_default();
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no reset link");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    assert!(reset_link.contains("/r/"), "{reset_link}");
    c.h.screenshot(d, "34-reset-link").await;
    close_with_escape(d, "reset-link").await;
    let done = crate::join::submit_form(
        &reset_link,
        &[
            ("password", "Green-Teapot77"),
            ("password_confirm", "Green-Teapot77"),
        ],
    )
    .await;
    assert!(done.contains("password_changed"), "{done}");
    wait_until_shown(d, ".ant-timeline-item", "changed their password").await;
}
