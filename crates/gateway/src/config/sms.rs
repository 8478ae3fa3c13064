//! `[sms]`: the text-message provider (Twilio) and its delivery reports (the sender itself is
//! in `sms.rs`).

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::{GatewayError, Result};
use crate::provider::check_base_url;

/// `[sms]` in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "provider", rename_all = "snake_case")]
pub enum SmsConfig {
    Twilio(TwilioConfig),
}

impl SmsConfig {
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Twilio(t) => t.validate(),
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioConfig {
    pub account_sid: String,
    /// The auth token itself; prefer `auth_token_file` or `auth_token_env`, which keep it out
    /// of the configuration file.
    #[serde(default)]
    pub auth_token: Option<String>,
    #[serde(default)]
    pub auth_token_file: Option<PathBuf>,
    #[serde(default)]
    pub auth_token_env: Option<String>,
    /// The sending number (E.164) or alphanumeric sender ID…
    #[serde(default)]
    pub from: Option<String>,
    /// …or a Messaging Service that picks the sender.
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    #[serde(default = "default_twilio_url")]
    pub base_url: String,
    #[serde(default = "super::default_provider_timeout")]
    pub timeout_secs: u64,
    /// Ask Twilio for delivery reports (the gateway's public URL must be reachable by Twilio).
    #[serde(default)]
    pub status_callback: bool,
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &self.auth_token.as_ref().map(|_| "…"))
            .field("auth_token_file", &self.auth_token_file)
            .field("auth_token_env", &self.auth_token_env)
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("base_url", &self.base_url)
            .field("status_callback", &self.status_callback)
            .finish()
    }
}

fn default_twilio_url() -> String {
    "https://api.twilio.com".to_owned()
}

impl TwilioConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        let sid_ok = self.account_sid.len() == 34
            && self.account_sid.starts_with("AC")
            && self.account_sid.chars().all(|c| c.is_ascii_alphanumeric());
        if !sid_ok {
            return Err(GatewayError::Config(
                "sms.account_sid must be Twilio's 34-character AC… id".into(),
            ));
        }
        if self.from.is_some() == self.messaging_service_sid.is_some() {
            return Err(GatewayError::Config(
                "give exactly one of sms.from and sms.messaging_service_sid".into(),
            ));
        }
        check_base_url("sms.base_url", &self.base_url)?;
        // Only that it is given once; an unset variable or missing file fails at start.
        match (
            &self.auth_token,
            &self.auth_token_file,
            &self.auth_token_env,
        ) {
            (Some(_), None, None) | (None, Some(_), None) | (None, None, Some(_)) => Ok(()),
            _ => Err(GatewayError::Config(
                "give exactly one of sms.auth_token, sms.auth_token_file and sms.auth_token_env"
                    .into(),
            )),
        }
    }
}
