//! Text messages for `sms` invitations and password resets, through Twilio's Messages API:
//! `POST {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`,
//! `From` (or `MessagingServiceSid`) and `Body`, HTTP Basic auth `AccountSid:AuthToken`.
//! Twilio answers 201 with the message's `sid`; a 4xx carries `{code, message}` and is final
//! (except 429, which asks us to slow down); 5xx and no answer are retried by the outbox.
//!
//! With `status_callback = true`, each message asks Twilio to report its fate to
//! `{public_url}/hooks/twilio/status`; the gateway checks the `X-Twilio-Signature` of every
//! report and turns `undelivered` / `failed` into `invitation_bounced`.
//!
//! The configuration ([`SmsConfig`]) is read and checked in `config/sms.rs`.

use std::time::Duration;

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;

pub use crate::config::{SmsConfig, TwilioConfig};
use crate::error::{GatewayError, Result};
use crate::i18n::{fill, Lang, Texts};
use crate::mail::{post_to_provider, DeliveryError};
use crate::provider::{basic_auth, config_secret, record_undelivered, HttpClient};
use crate::render::format_time;
use crate::secrets::constant_time_eq;
use crate::store::{Invitation, PasswordReset};
use crate::Shared;

#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Sends `body` to `to` (E.164); returns the provider's message id.
    async fn send(&self, to: &str, body: &str) -> Result<String, DeliveryError>;
}

/// The path Twilio reports delivery to.
pub const STATUS_CALLBACK_PATH: &str = "/hooks/twilio/status";

/// The sender for the outbox, and the check of its delivery reports when they are switched on
/// (their route is in `routes.rs`).
pub(crate) type SmsSetup = (Option<Box<dyn SmsSender>>, Option<Arc<SignatureCheck>>);

/// The configured sender, if any, and the check of its delivery reports. Reads the auth token
/// now, so that a missing one stops the gateway at start rather than failing every message.
pub(crate) fn from_config(config: Option<&SmsConfig>, public_url: &str) -> Result<SmsSetup> {
    let Some(SmsConfig::Twilio(t)) = config else {
        return Ok((None, None));
    };
    let mut twilio = Twilio::new(t)?;
    let mut check = None;
    if t.status_callback {
        let url = format!("{public_url}{STATUS_CALLBACK_PATH}");
        twilio.status_callback = Some(url.clone());
        check = Some(Arc::new(SignatureCheck {
            url,
            auth_token: twilio.auth_token.clone(),
        }));
    }
    Ok((Some(Box::new(twilio)), check))
}

/// `X-Twilio-Signature`: base64 of HMAC-SHA1 under the auth token over the URL Twilio called
/// followed by every POST parameter's name and value, sorted by name.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64ct::{Base64, Encoding};
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    Base64::encode_string(&mac.finalize().into_bytes())
}

pub(crate) struct SignatureCheck {
    /// Exactly the callback URL sent with each message, never rebuilt from the request.
    url: String,
    auth_token: String,
}

pub(crate) async fn status_report(
    State(state): State<Shared>,
    check: Arc<SignatureCheck>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(params) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let presented = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = twilio_signature(&check.auth_token, &check.url, &params);
    if !constant_time_eq(
        &crate::secrets::sha256(expected.as_bytes()),
        &crate::secrets::sha256(presented.as_bytes()),
    ) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let (sid, status) = (field("MessageSid"), field("MessageStatus"));
    if sid.is_empty() || !matches!(status, "undelivered" | "failed") {
        // Progress reports (queued, sent, delivered, …) need nothing.
        return StatusCode::NO_CONTENT.into_response();
    }
    let reason = match field("ErrorCode") {
        "" => format!("Twilio: {status}"),
        code => format!("Twilio: {status} (error {code})"),
    };
    match record_undelivered(&state, sid.to_owned(), &reason, 200).await {
        Ok(Some(invitation_id)) => {
            tracing::info!(invitation = %invitation_id, "text message undelivered");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

enum Sender {
    From(String),
    Service(String),
}

pub struct Twilio {
    client: HttpClient,
    url: String,
    authorization: String,
    auth_token: String,
    sender: Sender,
    status_callback: Option<String>,
}

impl Twilio {
    pub fn new(config: &TwilioConfig) -> Result<Self> {
        config.validate()?;
        let token = config_secret!("sms", config, auth_token)?;
        let sender = match (&config.from, &config.messaging_service_sid) {
            (Some(from), _) => Sender::From(from.clone()),
            (None, Some(service)) => Sender::Service(service.clone()),
            (None, None) => {
                return Err(GatewayError::Config(
                    "sms.from or sms.messaging_service_sid is required".into(),
                ))
            }
        };
        Ok(Self {
            client: HttpClient::new(Duration::from_secs(config.timeout_secs.max(1)))?,
            url: format!(
                "{}/2010-04-01/Accounts/{}/Messages.json",
                config.base_url.trim_end_matches('/'),
                config.account_sid
            ),
            authorization: basic_auth(&config.account_sid, &token),
            auth_token: token,
            sender,
            status_callback: None,
        })
    }
}

#[derive(Deserialize)]
struct TwilioMessage {
    sid: Option<String>,
}

#[derive(Deserialize)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
}

/// What a Twilio answer means for the message.
fn judge(status: u16, body: &[u8]) -> Result<String, DeliveryError> {
    if (200..300).contains(&status) {
        return match serde_json::from_slice::<TwilioMessage>(body) {
            Ok(TwilioMessage { sid: Some(sid) }) if !sid.is_empty() => Ok(sid),
            // Accepted, so it is on its way: a retry could send it twice.
            _ => Ok("(Twilio accepted the message without a sid)".to_owned()),
        };
    }
    let detail = match serde_json::from_slice::<TwilioError>(body) {
        Ok(TwilioError {
            code: Some(code),
            message,
        }) => format!("Twilio error {code}: {}", message.unwrap_or_default()),
        _ => format!(
            "Twilio answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ),
    };
    if status == 429 || status >= 500 {
        Err(DeliveryError::Transient(detail))
    } else {
        Err(DeliveryError::Permanent(detail))
    }
}

#[async_trait]
impl SmsSender for Twilio {
    async fn send(&self, to: &str, body: &str) -> Result<String, DeliveryError> {
        let sender = match &self.sender {
            Sender::From(from) => ("From", from.as_str()),
            Sender::Service(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let mut fields = vec![("To", to), sender, ("Body", body)];
        if let Some(url) = &self.status_callback {
            fields.push(("StatusCallback", url.as_str()));
        }
        let form = serde_urlencoded::to_string(&fields)
            .map_err(|e| DeliveryError::Permanent(format!("encoding the message: {e}")))?;
        let headers = [
            (header::AUTHORIZATION, self.authorization.clone()),
            (
                header::CONTENT_TYPE,
                "application/x-www-form-urlencoded".to_owned(),
            ),
            (header::ACCEPT, "application/json".to_owned()),
        ];
        post_to_provider(&self.client, &self.url, &headers, form.into_bytes(), judge).await
    }
}

/// The invitation as a short text in its language: who invites, to what, the link, and until
/// when it works.
pub fn invitation_text(invitation: &Invitation, link: &str, expires_at: i64) -> String {
    let names = [
        ("inviter", invitation.inviter_name.as_str()),
        ("organization", &invitation.organization_name),
    ];
    link_text(
        &invitation.locale,
        "sms_invitation",
        names,
        link,
        expires_at,
    )
}

/// A password reset as a short text in its language: the account, the organization, the link
/// and until when it works.
pub fn reset_text(reset: &PasswordReset, link: &str, expires_at: i64) -> String {
    let names = [
        ("username", reset.username.as_str()),
        ("organization", &reset.organization_name),
    ];
    link_text(&reset.locale, "sms_password_reset", names, link, expires_at)
}

/// The text `key` in the language `locale`, filled with `names`, the link and its expiry.
fn link_text(
    locale: &str,
    key: &str,
    names: [(&str, &str); 2],
    link: &str,
    expires_at: i64,
) -> String {
    let lang = Lang::parse(locale).unwrap_or(Lang::En);
    let date = format_time(expires_at);
    let [first, second] = names;
    fill(
        lang.t(key),
        &[first, second, ("link", link), ("date", &date)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::assert_transient;

    #[test]
    fn twilio_answers_are_judged_by_status_and_code() {
        assert_eq!(
            judge(201, br#"{"sid":"SM123","status":"queued"}"#),
            Ok("SM123".to_owned())
        );
        assert_eq!(
            judge(
                400,
                br#"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#
            ),
            Err(DeliveryError::Permanent(
                "Twilio error 21211: The 'To' number is not a valid phone number.".into()
            ))
        );
        let too_many = br#"{"code":20429,"message":"Too Many Requests"}"#;
        assert_transient(judge, &[(429, too_many), (503, b"<html>down</html>")]);
    }

    #[test]
    fn the_signature_is_twilios() {
        // The example from Twilio's "Webhooks security" documentation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(
            twilio_signature(
                "12345",
                "https://mycompany.com/myapp.php?foo=1&bar=2",
                &params
            ),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn the_configuration_needs_one_sender_and_one_token() {
        let base = |extra: &str| {
            format!(
                "provider = \"twilio\"\naccount_sid = \"AC{}\"\n{extra}",
                "0".repeat(32)
            )
        };
        let parse = |t: &str| toml::from_str::<SmsConfig>(t).map_err(|e| e.to_string());
        let ok = parse(&base("auth_token = \"t\"\nfrom = \"+15005550006\"")).unwrap();
        assert!(ok.validate().is_ok());
        assert!(format!("{ok:?}").contains("auth_token: Some(\"…\")"));
        assert!(!format!("{ok:?}").contains("\"t\""));
        let both = parse(&base(
            "auth_token = \"t\"\nfrom = \"+1\"\nmessaging_service_sid = \"MG1\"",
        ))
        .unwrap();
        assert!(both.validate().is_err());
        let no_token = parse(&base("from = \"+1\"")).unwrap();
        assert!(no_token.validate().is_err());
        let plain = parse(&base(
            "auth_token = \"t\"\nfrom = \"+1\"\nbase_url = \"http://api.twilio.com\"",
        ))
        .unwrap();
        assert!(plain.validate().is_err());
        assert!(parse(&base("auth_token = \"t\"\nfrom = \"+1\"\nbogus = 1")).is_err());
    }
}
