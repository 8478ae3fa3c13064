//! Composing invitation mail and handing it to a transport: SMTP, or .eml files in a folder
//! (the desktop's built-in mail catcher).

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::HeaderName;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

use crate::config::{SmtpConfig, SmtpTls};
use crate::error::{GatewayError, Result};
use crate::i18n::{fill, Lang, Texts};
use crate::provider::HttpClient;
use crate::render::{format_time, Templates};
use crate::secrets;
use crate::store::Invitation;

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// The server is down, busy or answered 4xx: retry later.
    Transient(String),
    /// The server refused for good (5xx), or the message cannot be built: do not retry.
    Permanent(String),
}

/// Posts a message to a provider's HTTP API and judges the answer with the provider's
/// `judge`; no answer at all is a failure worth trying again.
pub(crate) async fn post_to_provider(
    client: &HttpClient,
    url: &str,
    headers: &[(HeaderName, String)],
    body: Vec<u8>,
    judge: fn(u16, &[u8]) -> Result<String, DeliveryError>,
) -> Result<String, DeliveryError> {
    let answer = client
        .post(url, headers, body)
        .await
        .map_err(DeliveryError::Transient)?;
    judge(answer.status, &answer.body)
}

/// Asserts that a provider's `judge` takes each of `answers` (status and body) for a
/// failure worth trying again.
#[cfg(test)]
pub(crate) fn assert_transient(
    judge: fn(u16, &[u8]) -> Result<String, DeliveryError>,
    answers: &[(u16, &[u8])],
) {
    for &(status, body) in answers {
        let judged = judge(status, body);
        assert!(
            matches!(judged, Err(DeliveryError::Transient(_))),
            "{status}: {judged:?}"
        );
    }
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: Message) -> Result<(), DeliveryError>;

    /// Whether "sent" means written into a folder on the gateway's computer, where nobody
    /// receives it (the desktop's built-in gateway). The desktop shows such an invitation as
    /// kept, not delivered.
    fn keeps_messages(&self) -> bool {
        false
    }

    /// Sends, and returns the provider's id for the message when the transport has one (an
    /// HTTP mail API, whose bounces name that id); SMTP and files have none, and the
    /// message's own Message-ID stands.
    async fn send_with_id(&self, message: Message) -> Result<Option<String>, DeliveryError> {
        self.send(message).await.map(|()| None)
    }
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self> {
        let host = config.host.as_str();
        let smtp_err =
            |e: lettre::transport::smtp::Error| GatewayError::Config(format!("smtp: {e}"));
        // TLS is required, never opportunistic: a relay that cannot do it fails the send.
        let tls = |wrap: fn(TlsParameters) -> Tls| -> Result<Tls> {
            let mut params = TlsParameters::builder(host.to_owned());
            if let Some(ca) = &config.ca_file {
                let pem = std::fs::read(ca).map_err(|e| {
                    GatewayError::Config(format!("smtp ca_file {}: {e}", ca.display()))
                })?;
                params =
                    params.add_root_certificate(Certificate::from_pem(&pem).map_err(smtp_err)?);
            }
            Ok(wrap(params.build_rustls().map_err(smtp_err)?))
        };
        // "Dangerous" only because it starts without TLS; the match below adds it.
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host);
        builder = match config.tls {
            SmtpTls::None => builder,
            SmtpTls::Starttls => builder.tls(tls(Tls::Required)?),
            SmtpTls::Tls => builder.tls(tls(Tls::Wrapper)?),
        }
        .port(config.port)
        .timeout(Some(Duration::from_secs(config.timeout_secs)));
        if let Some(user) = &config.username {
            let var = config.password_env.as_deref().ok_or_else(|| {
                GatewayError::Config("mail.username is set but mail.password_env is not".into())
            })?;
            let password = std::env::var(var).map_err(|_| {
                GatewayError::Config(format!("the environment variable {var} is not set"))
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(e.to_string())),
            Err(e) => Err(DeliveryError::Transient(e.to_string())),
        }
    }
}

/// Writes each message to `DIR/<time>-<random>.eml`, through a temporary name so that a
/// reader never sees half a message.
pub struct FileMailer {
    pub dir: PathBuf,
}

#[async_trait]
impl Mailer for FileMailer {
    fn keeps_messages(&self) -> bool {
        true
    }

    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        let name = format!(
            "{}-{}",
            crate::clock::Clock::now_secs(&crate::clock::SystemClock),
            secrets::hex(&secrets::random_bytes::<6>())
        );
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let done = self.dir.join(format!("{name}.eml"));
        let bytes = message.formatted();
        let io = async {
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &done).await
        };
        io.await
            .map_err(|e| DeliveryError::Transient(format!("writing {}: {e}", done.display())))
    }
}

/// What the invitation mail fills in: the mail with its link, and the department and position
/// the invitee is offered.
#[derive(Serialize)]
struct MailContext<'a> {
    #[serde(flatten)]
    mail: LinkMailContext<'a>,
    department: &'a str,
    position: &'a str,
}

/// What the mail with one link and no details (a password reset, a join decision) fills in
/// `mail_layout.html`: an empty `link` or `expires` leaves its part out.
#[derive(Serialize)]
pub(crate) struct LinkMailContext<'a> {
    pub(crate) lang: &'static str,
    pub(crate) t: minijinja::Value,
    pub(crate) subject: &'a str,
    pub(crate) greeting: String,
    pub(crate) body: String,
    #[serde(flatten)]
    pub(crate) link: MailLink<'a>,
}

/// The link a mail carries and until when it works, as the templates fill them in.
#[derive(Serialize)]
pub(crate) struct MailLink<'a> {
    /// Pre-escaped: minijinja also escapes `/`, which is valid HTML but trips some mail
    /// clients' link detection; a URL needs only the five markup characters escaped.
    link: minijinja::Value,
    /// The same link for the text part, which is not escaped.
    link_text: &'a str,
    expires: String,
}

impl<'a> MailLink<'a> {
    /// `link` (none when empty), with `expires` saying until when it works (nothing when
    /// empty).
    pub(crate) fn new(link: &'a str, expires: String) -> Self {
        Self {
            link: minijinja::Value::from_safe_string(escape_markup(link)),
            link_text: link,
            expires,
        }
    }

    /// The link of `mail`, its expiry told by the text `expires` (which names the `date`).
    pub(crate) fn expiring(mail: &LinkMail<'a>, expires: &str) -> Self {
        let date = format_time(mail.expires_at);
        Self::new(mail.link, fill(expires, &[("date", &date)]))
    }
}

pub(crate) fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The invitation mail: multipart text + HTML, in the invitation's language, with our own
/// Message-ID (returned) so that a delivery can be traced. The Message-ID is derived from the
/// outbox row (`outbox_id`), so every attempt at one message carries the same one: a message
/// sent again after a crash is recognisably the same message.
pub fn compose_invitation(mail: &LinkMail<'_>, invitation: &Invitation) -> Composed {
    let lang = Lang::parse(&invitation.locale).unwrap_or(Lang::En);
    let org = invitation.organization_name.as_str();
    let subject = fill(
        lang.t("mail_subject"),
        &[("inviter", &invitation.inviter_name), ("organization", org)],
    );
    let context = MailContext {
        mail: LinkMailContext {
            lang: lang.code(),
            t: lang.table(),
            subject: &subject,
            greeting: fill(
                lang.t("invite_greeting"),
                &[("name", &invitation.invitee_name)],
            ),
            body: fill(lang.t("invite_body"), &[("organization", org)]),
            link: MailLink::expiring(mail, lang.t("expires")),
        },
        department: &invitation.department_label,
        position: &invitation.position_label,
    };
    let envelope = Envelope {
        from: mail.from,
        to_name: Some(invitation.invitee_name.clone()),
        recipient: &invitation.recipient,
        record_id: &invitation.id,
        outbox_id: mail.outbox_id,
    };
    let templates_used = ["invitation_mail.txt", "invitation_mail.html"];
    build(mail.templates, envelope, &subject, &context, templates_used)
}

/// A mail composed: the message and its Message-ID.
pub type Composed = Result<(Message, String), DeliveryError>;

/// What a mail that carries a link is composed with: the templates, the sender, its outbox
/// row (which names its Message-ID), and the link with its expiry.
#[derive(Clone, Copy)]
pub struct LinkMail<'a> {
    pub(crate) templates: &'a Templates,
    pub(crate) from: &'a str,
    pub(crate) outbox_id: i64,
    pub(crate) link: &'a str,
    pub(crate) expires_at: i64,
}

/// Where a mail comes from and goes to, and what names its Message-ID: the invitation's or
/// reset's id and its outbox row, so that every attempt at one message carries the same one.
pub(crate) struct Envelope<'a> {
    pub(crate) from: &'a str,
    pub(crate) to_name: Option<String>,
    pub(crate) recipient: &'a str,
    pub(crate) record_id: &'a str,
    pub(crate) outbox_id: i64,
}

/// Renders the `[text, html]` templates with `context` into a two-part message; returns it
/// with its Message-ID.
pub(crate) fn build<C: Serialize>(
    templates: &Templates,
    envelope: Envelope<'_>,
    subject: &str,
    context: &C,
    [text, html]: [&str; 2],
) -> Result<(Message, String), DeliveryError> {
    let render = |name| {
        templates
            .render(name, context)
            .map_err(|e| DeliveryError::Permanent(e.to_string()))
    };
    let (text, html) = (render(text)?, render(html)?);

    let from: Mailbox = envelope
        .from
        .parse()
        .map_err(|e| DeliveryError::Permanent(format!("sender address: {e}")))?;
    let to_address = envelope
        .recipient
        .parse()
        .map_err(|e| DeliveryError::Permanent(format!("recipient address: {e}")))?;
    let to = Mailbox::new(envelope.to_name, to_address);
    let message_id = format!(
        "<{}.m{}@{}>",
        envelope.record_id,
        envelope.outbox_id,
        from.email.domain()
    );
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| DeliveryError::Permanent(format!("building the message: {e}")))?;
    Ok((message, message_id))
}
