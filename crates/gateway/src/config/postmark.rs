//! `[mail]` with `transport = "postmark"`: Postmark's HTTP API and its bounce webhook
//! (the mailer itself is in `postmark.rs`).

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::{GatewayError, Result};
use crate::provider::check_base_url;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostmarkConfig {
    /// Sender, e.g. `Orgdesk <noreply@example.org>` (a confirmed Sender Signature).
    pub from: String,
    /// The server API token; prefer `server_token_file` or `server_token_env`.
    #[serde(default)]
    pub server_token: Option<String>,
    #[serde(default)]
    pub server_token_file: Option<PathBuf>,
    #[serde(default)]
    pub server_token_env: Option<String>,
    #[serde(default = "default_stream")]
    pub message_stream: String,
    #[serde(default = "default_postmark_url")]
    pub base_url: String,
    #[serde(default = "super::default_provider_timeout")]
    pub timeout_secs: u64,
    /// Credentials Postmark's bounce webhook must present; without them the webhook is off.
    #[serde(default)]
    pub bounce_webhook: Option<BounceWebhookConfig>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BounceWebhookConfig {
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub password_env: Option<String>,
}

impl std::fmt::Debug for PostmarkConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostmarkConfig")
            .field("from", &self.from)
            .field("server_token", &self.server_token.as_ref().map(|_| "…"))
            .field("server_token_file", &self.server_token_file)
            .field("server_token_env", &self.server_token_env)
            .field("message_stream", &self.message_stream)
            .field("base_url", &self.base_url)
            .field(
                "bounce_webhook",
                &self.bounce_webhook.as_ref().map(|w| &w.username),
            )
            .finish()
    }
}

fn default_stream() -> String {
    "outbound".to_owned()
}

fn default_postmark_url() -> String {
    "https://api.postmarkapp.com".to_owned()
}

impl PostmarkConfig {
    pub fn validate(&self) -> Result<()> {
        check_base_url("mail.base_url", &self.base_url)?;
        self.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| GatewayError::Config(format!("mail.from: {e}")))?;
        if let Some(hook) = &self.bounce_webhook {
            if hook.username.is_empty() || hook.username.contains(':') {
                return Err(GatewayError::Config(
                    "mail.bounce_webhook.username must be non-empty and without ':'".into(),
                ));
            }
        }
        Ok(())
    }
}
