//! Password resets: who a reset is for, what the admin sees after sending one, and the record
//! of it in the member's history.

use orgdesk_protocol::CreatePasswordReset;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::InviteChannel;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::store::Directory;
use crate::types::MemberId;

/// Who a password reset is for, read from the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTarget {
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub organization_name: String,
}

/// What the admin sees after sending a password reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetSent {
    pub channel: InviteChannel,
    /// The address the mail went to, for `email`, or the number the text went to, for `sms`.
    pub recipient: Option<String>,
    /// The reset link, for the admin to pass on when the channel is `link`.
    pub link: Option<String>,
    #[ts(type = "number")]
    pub expires_at: i64,
}

impl ResetTarget {
    /// The gateway's request for a reset link by `channel`: mailed to the member's email,
    /// texted to their mobile, or made for the admin to pass on. Refused, naming the member,
    /// when they have no address for the channel.
    pub fn request(&self, channel: InviteChannel) -> CoreResult<CreatePasswordReset> {
        let missing = |what: &str| {
            CoreError::invalid(vec![crate::error::ErrorDetail::field(
                "channel",
                "no_address",
                format!("{} has no {what}; make a link instead.", self.name),
            )])
        };
        let recipient = match channel {
            InviteChannel::Email => self.email.clone().ok_or_else(|| missing("email address"))?,
            InviteChannel::Sms => self
                .mobile
                .clone()
                .ok_or_else(|| missing("mobile number"))?,
            InviteChannel::Link => self.name.clone(),
        };
        Ok(CreatePasswordReset {
            username: self.username.clone(),
            channel: channel.wire(),
            recipient,
            organization_name: self.organization_name.clone(),
            locale: None,
            expires_in_secs: None,
        })
    }

    /// What the admin sees once the gateway made the link.
    pub fn sent(
        &self,
        channel: InviteChannel,
        link: String,
        expires_at_secs: i64,
    ) -> PasswordResetSent {
        PasswordResetSent {
            channel,
            recipient: match channel {
                InviteChannel::Email => self.email.clone(),
                InviteChannel::Sms => self.mobile.clone(),
                InviteChannel::Link => None,
            },
            link: (channel == InviteChannel::Link).then_some(link),
            expires_at: expires_at_secs * 1000,
        }
    }
}

impl Directory {
    /// The member a password reset asked for by `actor` is for: only an Enabled member with a
    /// username, and a Super Admin only at a Super Admin's asking (the link could be shown to
    /// the admin who asks).
    pub fn password_reset_target(&self, actor: &Actor, id: MemberId) -> CoreResult<ResetTarget> {
        type Found = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let row: Option<Found> = self
            .conn
            .query_row(
                "SELECT name, username, email, mobile, status FROM members WHERE id = ?1",
                [id],
                |r| crate::rows::columns(r),
            )
            .optional()?;
        let Some((name, username, email, mobile, status)) = row else {
            return Err(CoreError::NotFound("This member no longer exists.".into()));
        };
        let Some(username) = username.filter(|_| status == "enabled") else {
            return Err(CoreError::Conflict(format!(
                "{name} has no enabled account, so there is no password to reset."
            )));
        };
        self.guard_super_admin_target(actor, id, &name, "reset their password")?;
        Ok(ResetTarget {
            name,
            username,
            email,
            mobile,
            organization_name: self.organization_name()?,
        })
    }

    /// Records in the member's history that a reset link was sent (never the link itself).
    pub fn record_password_reset(
        &mut self,
        actor: &Actor,
        id: MemberId,
        channel: InviteChannel,
    ) -> CoreResult<()> {
        let now = self.now_ms();
        let name: String =
            self.conn
                .query_row("SELECT name FROM members WHERE id = ?1", [id], |r| r.get(0))?;
        audit::record(
            &self.conn,
            now,
            actor,
            audit::Entry::member("member.password_reset_sent", id, &name)
                .after(json!({"channel": channel.as_str()})),
        )?;
        Ok(())
    }
}
