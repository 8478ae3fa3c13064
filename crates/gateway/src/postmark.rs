//! Mail through Postmark's HTTP API instead of SMTP (`[mail] transport = "postmark"`), and
//! the webhook through which Postmark reports bounces.
//!
//! Sending: `POST {base_url}/email` with `X-Postmark-Server-Token`, JSON `From`, `To`,
//! `Subject`, `HtmlBody`, `TextBody`, `MessageStream`; the answer's `MessageID` is kept as the
//! message's id, which is what a bounce names. `ErrorCode` 0 is accepted; 300 (invalid
//! address) and 406 (inactive recipient) are final; anything else is retried, since it is
//! either Postmark being unavailable or a setting the operator can fix.
//!
//! Bounces: `POST /hooks/postmark/bounce`, HTTP Basic credentials from the configuration,
//! Postmark's bounce JSON; the invitation whose message had that `MessageID` gets
//! `invitation_bounced`, once.
//!
//! The configuration ([`PostmarkConfig`]) is read and checked in `config/postmark.rs`.

use std::time::Duration;

use async_trait::async_trait;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64ct::{Base64, Encoding};
use lettre::Message;
use serde::{Deserialize, Serialize};

pub use crate::config::{BounceWebhookConfig, PostmarkConfig};
use crate::error::Result;
use crate::mail::{post_to_provider, DeliveryError, Mailer};
use crate::provider::{config_secret, record_undelivered, HttpClient};
use crate::secrets::{constant_time_eq, sha256};
use crate::Shared;

impl PostmarkConfig {
    fn token(&self) -> Result<String> {
        config_secret!("mail", self, server_token)
    }
}

pub struct PostmarkMailer {
    client: HttpClient,
    url: String,
    token: String,
    stream: String,
}

impl PostmarkMailer {
    pub fn new(config: &PostmarkConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            client: HttpClient::new(Duration::from_secs(config.timeout_secs.max(1)))?,
            url: format!("{}/email", config.base_url.trim_end_matches('/')),
            token: config.token()?,
            stream: config.message_stream.clone(),
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PostmarkEmail<'a> {
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    html_body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_body: Option<&'a str>,
    message_stream: &'a str,
}

#[derive(Deserialize)]
struct PostmarkAnswer {
    #[serde(rename = "ErrorCode", default)]
    error_code: i64,
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "MessageID", default)]
    message_id: Option<String>,
}

/// Postmark's error codes that no retry can fix: the address is invalid (300) or the
/// recipient is marked inactive after earlier bounces or a spam complaint (406).
const FINAL_ERROR_CODES: [i64; 2] = [300, 406];

fn judge(status: u16, body: &[u8]) -> Result<String, DeliveryError> {
    let parsed = serde_json::from_slice::<PostmarkAnswer>(body);
    match parsed {
        Ok(a) if (200..300).contains(&status) && a.error_code == 0 => Ok(a
            .message_id
            .unwrap_or_else(|| "(Postmark accepted the message without a MessageID)".into())),
        Ok(a) => {
            let detail = format!("Postmark error {}: {}", a.error_code, a.message);
            if FINAL_ERROR_CODES.contains(&a.error_code) {
                Err(DeliveryError::Permanent(detail))
            } else {
                Err(DeliveryError::Transient(detail))
            }
        }
        Err(_) => Err(DeliveryError::Transient(format!(
            "Postmark answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))),
    }
}

#[async_trait]
impl Mailer for PostmarkMailer {
    async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        self.send_with_id(message).await.map(|_| ())
    }

    async fn send_with_id(&self, message: Message) -> Result<Option<String>, DeliveryError> {
        let headers = message.headers();
        let field = |name: &str| {
            headers.get_raw(name).map(str::to_owned).ok_or_else(|| {
                DeliveryError::Permanent(format!("the message has no {name} header"))
            })
        };
        let (from, to, subject) = (field("From")?, field("To")?, field("Subject")?);
        let parts = text_and_html(&message.formatted())
            .map_err(|e| DeliveryError::Permanent(format!("reading the message: {e}")))?;
        if parts.text.is_none() && parts.html.is_none() {
            return Err(DeliveryError::Permanent("the message has no text".into()));
        }
        let email = PostmarkEmail {
            from: &from,
            to: &to,
            subject: &subject,
            html_body: parts.html.as_deref(),
            text_body: parts.text.as_deref(),
            message_stream: &self.stream,
        };
        let body = serde_json::to_vec(&email)
            .map_err(|e| DeliveryError::Permanent(format!("encoding the message: {e}")))?;
        let headers = [
            (
                HeaderName::from_static("x-postmark-server-token"),
                self.token.clone(),
            ),
            (header::ACCEPT, "application/json".to_owned()),
            (header::CONTENT_TYPE, "application/json".to_owned()),
        ];
        post_to_provider(&self.client, &self.url, &headers, body, judge)
            .await
            .map(Some)
    }
}

/// The text and HTML bodies of a message, decoded.
#[derive(Debug, Default, PartialEq, Eq)]
struct Parts {
    text: Option<String>,
    html: Option<String>,
}

/// Splits a header block from its body at the first empty line.
fn split_head(raw: &str) -> (&str, &str) {
    match raw.find("\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => (raw, ""),
    }
}

/// The value of header `name` in a header block (folded lines joined).
fn header_value(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

/// The `boundary` parameter of a Content-Type value.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn decode_body(encoding: &str, body: &str) -> Result<String, String> {
    let bytes = match encoding.to_ascii_lowercase().as_str() {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            Base64::decode_vec(&joined).map_err(|e| format!("base64: {e}"))?
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).map_err(|_| "a part is not UTF-8".to_owned())
}

fn decode_quoted_printable(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Walks a MIME entity (a whole message or one part) for its text/plain and text/html.
fn collect(entity: &str, parts: &mut Parts, depth: u8) -> Result<(), String> {
    let (head, body) = split_head(entity);
    let content_type = header_value(head, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let kind = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if kind.starts_with("multipart/") {
        if depth > 4 {
            return Err("multipart nested too deeply".into());
        }
        let b = boundary(&content_type).ok_or("a multipart without a boundary")?;
        let delimiter = format!("--{b}");
        for part in body.split(delimiter.as_str()).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let part = part.strip_prefix("\r\n").unwrap_or(part);
            let part = part.strip_suffix("\r\n").unwrap_or(part);
            collect(part, parts, depth + 1)?;
        }
        return Ok(());
    }
    let encoding = header_value(head, "Content-Transfer-Encoding").unwrap_or_else(|| "7bit".into());
    let slot = match kind.as_str() {
        "text/plain" => &mut parts.text,
        "text/html" => &mut parts.html,
        _ => return Ok(()),
    };
    if slot.is_none() {
        *slot = Some(decode_body(&encoding, body)?);
    }
    Ok(())
}

fn text_and_html(formatted: &[u8]) -> Result<Parts, String> {
    let raw = std::str::from_utf8(formatted).map_err(|_| "the message is not UTF-8")?;
    let mut parts = Parts::default();
    collect(raw, &mut parts, 0)?;
    Ok(parts)
}

/// The bounce webhook's credentials (the SHA-256 of `username:password`), when the
/// configuration enables it; its route is in `routes.rs`. The credentials are read once, at
/// start.
pub(crate) fn bounce_hook(postmark: &PostmarkConfig) -> Result<Option<[u8; 32]>> {
    let Some(hook) = &postmark.bounce_webhook else {
        return Ok(None);
    };
    let password = config_secret!("mail.bounce_webhook", hook, password)?;
    Ok(Some(sha256(
        format!("{}:{password}", hook.username).as_bytes(),
    )))
}

/// The fields of Postmark's bounce webhook that the gateway uses.
#[derive(Debug, Deserialize)]
pub(crate) struct Bounce {
    #[serde(rename = "MessageID", default)]
    message_id: String,
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(rename = "Email", default)]
    email: String,
    #[serde(rename = "Description", default)]
    description: String,
}

/// Whether the request carries the configured Basic credentials. Both sides are hashed first,
/// so the comparison takes the same time whatever was sent.
fn authorized(headers: &HeaderMap, expected: &[u8; 32]) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| Base64::decode_vec(b.trim()).ok())
        .unwrap_or_default();
    constant_time_eq(&sha256(&presented), expected)
}

pub(crate) async fn bounce(
    State(state): State<Shared>,
    expected: [u8; 32],
    headers: HeaderMap,
    body: Result<Json<Bounce>, JsonRejection>,
) -> Response {
    if !authorized(&headers, &expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"orgdesk-gateway\"")],
        )
            .into_response();
    }
    let Ok(Json(b)) = body else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if b.message_id.is_empty() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let reason = match (b.kind.as_str(), b.description.as_str()) {
        ("", d) => d.to_owned(),
        (k, "") => k.to_owned(),
        (k, d) => format!("{k}: {d}"),
    };
    match record_undelivered(&state, b.message_id, &reason, 500).await {
        Ok(Some(invitation_id)) => {
            tracing::info!(invitation = %invitation_id, "invitation bounced");
            StatusCode::OK.into_response()
        }
        // Not one of ours (or already reported): acknowledged, so Postmark does not retry.
        Ok(None) => {
            tracing::info!(
                email_known = !b.email.is_empty(),
                "bounce for an unknown message"
            );
            StatusCode::OK.into_response()
        }
        // Postmark retries a failed webhook later.
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MailConfig;
    use crate::mail::assert_transient;

    #[test]
    fn postmark_answers_are_judged_by_error_code() {
        assert_eq!(
            judge(
                200,
                br#"{"To":"a@b.c","SubmittedAt":"2026-01-01T00:00:00Z","MessageID":"b7bc2f4a-e38e-4336-af7d-e6c392c2f817","ErrorCode":0,"Message":"OK"}"#
            ),
            Ok("b7bc2f4a-e38e-4336-af7d-e6c392c2f817".to_owned())
        );
        assert!(matches!(
            judge(422, br#"{"ErrorCode":406,"Message":"You tried to send to recipient(s) that have been marked as inactive."}"#),
            Err(DeliveryError::Permanent(m)) if m.starts_with("Postmark error 406")
        ));
        assert!(matches!(
            judge(
                422,
                br#"{"ErrorCode":300,"Message":"Invalid 'To' address"}"#
            ),
            Err(DeliveryError::Permanent(_))
        ));
        let no_token =
            br#"{"ErrorCode":10,"Message":"No Account or Server API tokens were supplied"}"#;
        assert_transient(judge, &[(401, no_token), (500, b"oops")]);
    }

    #[test]
    fn the_parts_of_a_composed_message_come_back_decoded() {
        let text = "Hello Li Wei,\r\n\u{9080}\u{8bf7} https://x/i/abc=def\r\n".repeat(3);
        let html = "<p>Hello &amp; welcome \u{6b22}\u{8fce}</p>".to_owned();
        let message = Message::builder()
            .from("Orgdesk <noreply@example.org>".parse().unwrap())
            .to("Li Wei <li@example.org>".parse().unwrap())
            .subject("Ann 邀请您")
            .multipart(lettre::message::MultiPart::alternative_plain_html(
                text.clone(),
                html.clone(),
            ))
            .unwrap();
        let parts = text_and_html(&message.formatted()).unwrap();
        assert_eq!(parts.text.as_deref(), Some(text.as_str()));
        assert_eq!(parts.html.as_deref(), Some(html.as_str()));
        assert_eq!(message.headers().get_raw("Subject"), Some("Ann 邀请您"));

        let plain = Message::builder()
            .from("a@example.org".parse().unwrap())
            .to("b@example.org".parse().unwrap())
            .subject("s")
            .body("just text".to_owned())
            .unwrap();
        let parts = text_and_html(&plain.formatted()).unwrap();
        assert_eq!(parts.text.as_deref(), Some("just text"));
        assert_eq!(parts.html, None);
    }

    #[test]
    fn the_configuration_chooses_postmark_and_twilio() {
        let text = format!(
            r#"public_url = "https://join.example.org"
database = "x.db"
[mail]
transport = "postmark"
from = "Orgdesk <noreply@example.org>"
server_token_env = "ORGDESK_POSTMARK_TOKEN"
[mail.bounce_webhook]
username = "postmark"
password_env = "ORGDESK_POSTMARK_HOOK_PASSWORD"
[sms]
provider = "twilio"
account_sid = "AC{}"
auth_token_env = "ORGDESK_TWILIO_TOKEN"
from = "+15005550006"
"#,
            "a".repeat(32)
        );
        let c = crate::Config::from_toml(&text).unwrap();
        assert!(matches!(&c.mail, MailConfig::Postmark(p)
            if p.message_stream == "outbound" && p.base_url == "https://api.postmarkapp.com"
                && p.bounce_webhook.as_ref().is_some_and(|h| h.username == "postmark")));
        assert_eq!(c.mail.from_address(), "Orgdesk <noreply@example.org>");
        assert!(matches!(&c.sms, Some(crate::sms::SmsConfig::Twilio(t))
            if t.base_url == "https://api.twilio.com"));
        // A provider beyond loopback over plain http, or a typo, is refused.
        let plain = text.replace(
            "transport = \"postmark\"",
            "transport = \"postmark\"\nbase_url = \"http://api.postmarkapp.com\"",
        );
        assert!(crate::Config::from_toml(&plain).is_err());
        let typo = text.replace("server_token_env", "server_tokn_env");
        assert!(crate::Config::from_toml(&typo).is_err());
    }

    #[test]
    fn quoted_printable_soft_breaks_and_escapes() {
        assert_eq!(
            decode_quoted_printable("a=3Db=\r\nc =E4=BD=A0"),
            "a=bc 你".as_bytes()
        );
    }
}
