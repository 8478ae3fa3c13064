//! `orgdesk member set-password` and `orgdesk member reset-password`: the window's "Set
//! password" and "Reset password" on the command line.

use std::sync::{Arc, Mutex};

use clap::Args;
use orgdesk_core::audit::Actor;
use orgdesk_core::invitations::InviteChannel;
use orgdesk_core::members::SetPasswordInput;
use orgdesk_core::team::Command;
use orgdesk_core::{CommandError, CoreError, Directory};
use orgdesk_link::{send_round, SharedDirectory};

use crate::cli_output::{to_json, Output};
use crate::cli_sync::{endpoint, GatewayArgs};

#[derive(Debug, Args)]
pub struct SetPasswordArgs {
    /// The member: username, or id.
    member: String,
    /// Read the new password from the first line of standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Let the member keep this password (by default they must choose their own at the next
    /// sign-in, in the window or on their own page).
    #[arg(long)]
    no_must_change: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("via").required(true).args(["email", "sms", "link"]))]
#[command(mut_arg("email", |a| a.help("Mail the reset link to the member's email")))]
#[command(mut_arg("sms", |a| a.help("Text the reset link to the member's mobile")))]
#[command(mut_arg("link", |a| a.help("Print the link, to pass on")))]
pub struct ResetPasswordArgs {
    /// The member: username, or id.
    member: String,
    #[command(flatten)]
    via: ChannelFlags,
    #[command(flatten)]
    gateway: GatewayArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `--email`, `--sms` and `--link`: how a link reaches a member (an invitation, a password
/// reset). Each command that takes them words their help for what it sends (`mut_arg`) and says
/// whether one of them must be given (its `via` group).
#[derive(Debug, Args)]
pub struct ChannelFlags {
    #[arg(long)]
    email: bool,
    #[arg(long)]
    sms: bool,
    #[arg(long)]
    link: bool,
}

impl ChannelFlags {
    /// The channel asked for, if one was.
    pub fn chosen(&self) -> Option<InviteChannel> {
        match (self.email, self.sms, self.link) {
            (true, _, _) => Some(InviteChannel::Email),
            (_, true, _) => Some(InviteChannel::Sms),
            (_, _, true) => Some(InviteChannel::Link),
            _ => None,
        }
    }
}

/// `password` is the first line of standard input, read by the caller.
pub fn set_password(
    d: &mut Directory,
    actor: &Actor,
    password: String,
    a: SetPasswordArgs,
) -> Output {
    let id = d.find_member(&a.member)?;
    let must_change = !a.no_must_change;
    let input = SetPasswordInput {
        password,
        must_change,
    };
    // In a team it is checked and hashed here: the change carries the hash only.
    crate::cli_edit::edit(
        d,
        actor,
        |d| Command::set_member_password(d, id, &input),
        |d, a| d.set_member_password(a, id, &input),
        |d, ()| {
            let name = d.member_details(id)?.name;
            if a.json {
                return Ok(
                    serde_json::json!({"id": id.0, "name": name, "mustChange": must_change})
                        .to_string(),
                );
            }
            Ok(if must_change {
                format!("Password set for {name}; they must choose their own at the next sign-in.")
            } else {
                format!("Password set for {name}.")
            })
        },
    )
}

/// Sends the directory's accounts to the gateway first (a member added a moment ago has no
/// account there yet), then asks it for the reset link.
pub fn reset_password(d: Directory, actor: &Actor, a: ResetPasswordArgs) -> Output {
    let id = d.find_member(&a.member)?;
    // One of the three is required.
    let channel = a.via.chosen().unwrap_or(InviteChannel::Link);
    let target = d.password_reset_target(actor, id)?;
    let request = target.request(channel)?;
    let client = orgdesk_link::GatewayClient::new(endpoint(&d, &a.gateway)?);
    let dir: SharedDirectory = Arc::new(Mutex::new(d));
    let created = tauri::async_runtime::block_on(async {
        let sent = send_round(&dir, &client, true).await;
        if let Some(why) = sent.mirror_failed {
            return Err(CommandError::new(
                orgdesk_core::ErrorCode::Conflict,
                format!("The gateway could not be told about the directory's accounts: {why}"),
            ));
        }
        let key = orgdesk_core::invitations::new_idempotency_key();
        client
            .create(&key, &request)
            .await
            .map_err(|e| crate::gateway_link::reset_refused(e, &target.name))
    })?;
    let mut d = dir
        .lock()
        .map_err(|_| CoreError::Internal("The directory could not be reached.".into()))?;
    d.record_password_reset(actor, id, channel)?;
    let sent = target.sent(channel, created.link, created.expires_at);
    if a.json {
        return to_json(&sent);
    }
    Ok(match (&sent.link, &sent.recipient) {
        (Some(link), _) => link.clone(),
        (None, Some(to)) if channel == InviteChannel::Sms => {
            format!("A reset link was texted to {to}.")
        }
        (None, to) => format!(
            "A reset link was mailed to {}.",
            to.as_deref().unwrap_or_default()
        ),
    })
}
