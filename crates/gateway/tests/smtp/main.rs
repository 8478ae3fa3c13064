//! Delivery through a real SMTP server: Debian's aiosmtpd, started by the test on a loopback
//! port, storing what it receives in a Maildir the test reads.

#[path = "../common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::PasswordVerifier;
use argon2::Argon2;
use common::smtp::{
    free_port, gateway_mailing_to_a_free_port, gateway_with_smtp, smtp_tls_to, smtp_to, SmtpServer,
};
use common::{
    find_link, find_reset_link, first_mail, invitation, mail_parts, wait_for_files, TestGateway,
};
use orgdesk_gateway::config::SmtpTls;
use orgdesk_gateway::SystemClock;
use orgdesk_protocol::{Channel, EventKind, InvitationCreated};
use reqwest::StatusCode;

/// The invitation "k" by email to Li Wei.
async fn invite_li_wei_by_mail(gw: &TestGateway) -> InvitationCreated {
    gw.created_invitation("k", &invitation(Channel::Email, "li.wei@example.org"))
        .await
}

/// Asserts that the mail `raw` is the one with the Message-ID an event names.
fn assert_names_message(raw: &str, message_id: &str) {
    assert!(
        raw.contains(message_id),
        "the event names the mail's Message-ID"
    );
}

#[tokio::test]
async fn an_invitation_goes_through_smtp_and_its_link_registers() {
    let (gw, smtp) = gateway_with_smtp().await;

    let created = invite_li_wei_by_mail(&gw).await;
    let raw = first_mail(&smtp.inbox()).await;
    assert!(raw.contains("To: \"Li Wei\" <li.wei@example.org>"), "{raw}");
    let (text, html) = mail_parts(&raw);
    let link = find_link(&text, &gw.base).expect("a link in the text part");
    assert_eq!(link, created.link);
    assert!(html.contains(&link));
    assert!(
        text.contains("Ann Admin invites you to join Acme Ltd"),
        "{text}"
    );

    let page = gw.get(&link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let done = gw.register(&link, "li.wei", "Correct-Horse1").await;
    assert_eq!(done.kind(), Some("registered"), "{}", done.body);

    let delivered = gw
        .wait_for_event(10, |k| matches!(k, EventKind::InvitationDelivered { .. }))
        .await;
    let EventKind::InvitationDelivered {
        message_id, kept, ..
    } = delivered
    else {
        unreachable!()
    };
    assert!(
        !kept,
        "a mail server took the message: it was sent, not kept"
    );
    assert_names_message(&raw, &message_id);
    let registered = gw
        .wait_for_event(10, |k| matches!(k, EventKind::Registered { .. }))
        .await;
    let EventKind::Registered {
        account_id,
        username,
        password_hash,
        invitation_id,
    } = registered
    else {
        unreachable!()
    };
    assert_eq!(username, "li.wei");
    assert!(account_id.is_some_and(|id| id.starts_with("acc_")));
    assert_eq!(invitation_id, created.invitation_id);
    let parsed = PasswordHash::new(&password_hash).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    assert!(Argon2::default()
        .verify_password(b"Correct-Horse1", &parsed)
        .is_ok());
    assert!(Argon2::default()
        .verify_password(b"correct-horse1", &parsed)
        .is_err());
    gw.stop().await;
    drop(smtp);
}

/// Each invitation's mail is written in the language the desktop chose for it, and its page
/// opens in that language.
#[tokio::test]
async fn each_invitations_mail_and_page_are_in_its_language() {
    let (gw, smtp) = gateway_with_smtp().await;

    let mut zh = invitation(Channel::Email, "li.wei@example.org");
    zh.locale = Some("zh-CN".into());
    let mut en = invitation(Channel::Email, "ann.ho@example.org");
    en.locale = Some("en".into());
    let zh = gw.created_invitation("zh", &zh).await;
    let en = gw.created_invitation("en", &en).await;
    let mut texts = Vec::new();
    for file in wait_for_files(&smtp.inbox(), 2, 15).await {
        let raw = std::fs::read_to_string(file).unwrap();
        let (text, html) = mail_parts(&raw);
        let link = find_link(&text, &gw.base).expect("a link in the text part");
        assert!(html.contains(&link));
        texts.push((link, text, html));
    }
    let (_, zh_text, zh_html) = texts
        .iter()
        .find(|t| t.0 == zh.link)
        .expect("the Chinese mail");
    let (_, en_text, en_html) = texts
        .iter()
        .find(|t| t.0 == en.link)
        .expect("the English mail");
    for part in [zh_text, zh_html] {
        assert!(part.contains("Ann Admin 邀请您加入 Acme Ltd"), "{part}");
    }
    for part in [en_text, en_html] {
        assert!(
            part.contains("Ann Admin invites you to join Acme Ltd"),
            "{part}"
        );
        assert!(!part.contains("邀请您加入"), "{part}");
    }
    let page = gw.get(&zh.link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("lang=\"zh-CN\"") && page.body.contains("立即加入"),
        "{}",
        page.body
    );
    gw.stop().await;
    drop(smtp);
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_the_invitation_but_does_not_lose_it() {
    let (gw, port) = gateway_mailing_to_a_free_port().await;
    let created = invite_li_wei_by_mail(&gw).await;

    // A couple of attempts fail against the closed port; nothing is reported yet.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let page = gw.events(0, 0).await;
    assert!(
        page.events.iter().all(|e| !matches!(
            e.kind,
            EventKind::InvitationDelivered { .. } | EventKind::InvitationFailed { .. }
        )),
        "{:?}",
        page.events
    );

    let smtp = SmtpServer::start(port, gw.dir.path());
    let delivered = gw
        .wait_for_event(15, |k| matches!(k, EventKind::InvitationDelivered { .. }))
        .await;
    assert!(
        matches!(delivered, EventKind::InvitationDelivered { ref invitation_id, .. }
        if *invitation_id == created.invitation_id)
    );
    let files = wait_for_files(&smtp.inbox(), 1, 5).await;
    assert_eq!(files.len(), 1, "sent exactly once");
    gw.stop().await;
}

/// STARTTLS (required) and TLS from the first byte, to servers whose certificate comes from
/// a private CA given as `ca_file`; and a server with an untrusted certificate gets nothing.
#[tokio::test]
async fn mail_goes_over_starttls_and_implicit_tls() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = common::self_signed(certs.path());
    for (tls, cert_flag, key_flag) in [
        (SmtpTls::Starttls, "--tlscert", "--tlskey"),
        (SmtpTls::Tls, "--smtpscert", "--smtpskey"),
    ] {
        let port = free_port();
        let gw =
            TestGateway::start(Arc::new(SystemClock), smtp_tls_to(port, tls, cert.clone())).await;
        let smtp = SmtpServer::start_with(
            port,
            gw.dir.path(),
            &[
                cert_flag.as_ref(),
                cert.as_os_str(),
                key_flag.as_ref(),
                key.as_os_str(),
            ],
        );
        let created = invite_li_wei_by_mail(&gw).await;
        let (text, _) = mail_parts(&first_mail(&smtp.inbox()).await);
        assert_eq!(
            find_link(&text, &gw.base).as_deref(),
            Some(created.link.as_str())
        );
        gw.stop().await;
        drop(smtp);
    }

    // Without the CA the certificate is not trusted: nothing is sent, the send is retried.
    let port = free_port();
    let gw = TestGateway::start(Arc::new(SystemClock), |config, dir| {
        smtp_to(port)(config, dir);
        if let orgdesk_gateway::config::MailConfig::Smtp(smtp) = &mut config.mail {
            smtp.tls = SmtpTls::Starttls;
        }
    })
    .await;
    let smtp = SmtpServer::start_with(
        port,
        gw.dir.path(),
        &[
            "--tlscert".as_ref(),
            cert.as_os_str(),
            "--tlskey".as_ref(),
            key.as_os_str(),
        ],
    );
    gw.create("k", &invitation(Channel::Email, "li.wei@example.org"))
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(common::files_in(&smtp.inbox()).is_empty());
    gw.stop().await;
    drop(smtp);
}

/// A password reset goes out through the real SMTP server; its link changes the password and
/// the feed reports the delivery and the new hash.
#[tokio::test]
async fn a_reset_mail_goes_through_smtp_and_its_link_changes_the_password() {
    use common::members::{hash_of, mailed_reset_for_li_wei, NEW_PASSWORD};

    let (gw, smtp) = gateway_with_smtp().await;
    gw.account("k1", "Li Wei", "li.wei").await;

    let created = gw.created_reset("r1", &mailed_reset_for_li_wei()).await;
    let raw = first_mail(&smtp.inbox()).await;
    assert!(raw.contains("To: li.wei@example.org"), "{raw}");
    assert!(
        raw.contains("Subject: Reset your password for Acme Ltd"),
        "{raw}"
    );
    let (text, html) = mail_parts(&raw);
    let link = find_reset_link(&text, &gw.base).expect("a link in the text part");
    assert_eq!(link, created.link);
    assert!(html.contains(&link), "{html}");
    assert!(
        text.contains("choose a new password for your account li.wei"),
        "{text}"
    );

    let done = gw.use_reset(&link, NEW_PASSWORD).await;
    assert_eq!(done.kind(), Some("password_changed"), "{}", done.body);
    let delivered = gw
        .wait_for_event(10, |k| {
            matches!(k, EventKind::PasswordResetDelivered { .. })
        })
        .await;
    let EventKind::PasswordResetDelivered {
        reset_id,
        message_id,
    } = delivered
    else {
        unreachable!()
    };
    assert_eq!(reset_id, created.reset_id);
    assert_names_message(&raw, &message_id);
    let changed = gw
        .wait_for_event(10, |k| matches!(k, EventKind::PasswordChanged { .. }))
        .await;
    assert!(
        matches!(&changed, EventKind::PasswordChanged { account_id: Some(_), username, password_hash }
            if username == "li.wei" && hash_of(password_hash, NEW_PASSWORD)),
        "{changed:?}"
    );
    gw.stop().await;
    drop(smtp);
}

/// While the mail server is down, a newer reset replaces the older one's waiting mail: when
/// the server comes back, only the newer link is sent.
#[tokio::test]
async fn a_newer_reset_replaces_the_mail_still_waiting() {
    use common::members::mailed_reset_for_li_wei;

    let req = mailed_reset_for_li_wei();
    let (gw, port) = gateway_mailing_to_a_free_port().await;
    gw.account("k1", "Li Wei", "li.wei").await;
    let first = gw.created_reset("r1", &req).await;
    // A couple of attempts fail against the closed port.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = gw.created_reset("r2", &req).await;

    let smtp = SmtpServer::start(port, gw.dir.path());
    let delivered = gw
        .wait_for_event(15, |k| {
            matches!(k, EventKind::PasswordResetDelivered { .. })
        })
        .await;
    assert!(
        matches!(&delivered, EventKind::PasswordResetDelivered { reset_id, .. }
            if *reset_id == second.reset_id),
        "{delivered:?}"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let files = common::files_in(&smtp.inbox());
    assert_eq!(files.len(), 1, "only the newer reset is sent");
    let (text, _) = mail_parts(&std::fs::read_to_string(&files[0]).unwrap());
    assert!(text.contains(&second.link), "{text}");
    assert!(!text.contains(&first.link));
    let kinds: Vec<EventKind> = gw.event_kinds().await;
    assert!(
        !kinds.iter().any(|k| matches!(k,
            EventKind::PasswordResetDelivered { reset_id, .. }
            | EventKind::PasswordResetFailed { reset_id, .. } if *reset_id == first.reset_id)),
        "{kinds:?}"
    );
    gw.stop().await;
    drop(smtp);
}

/// Join decisions are mailed to the person who asked (SQLite; the PostgreSQL suite runs the
/// same scenario).
#[tokio::test]
async fn join_decisions_are_mailed() {
    common::join_scenarios::join_decisions_are_mailed(None).await;
}
