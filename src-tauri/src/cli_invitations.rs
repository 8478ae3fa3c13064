//! `orgdesk invite` (invite one member by mail, text message or a link to pass on) and
//! `orgdesk invitations` (list, resend, cancel): the window's invitations on the command line.

use std::sync::{Arc, Mutex};

use clap::{Args, Subcommand};
use orgdesk_core::invitations::{
    InvitationBatchOutcome, InvitationChange, InvitationQuery, InvitationRow, InvitationState,
    InviteChannel, MAX_INVITATION_PAGE,
};
use orgdesk_core::team::Command;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use orgdesk_link::{send_round, SharedDirectory};

use crate::cli_directory::actor;
use crate::cli_output::{to_json, Output};
use crate::cli_passwords::ChannelFlags;
use crate::cli_settings::parse_language;
use crate::cli_sync::{endpoint, names_gateway, GatewayArgs};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("via").args(["email", "sms", "link"]))]
#[command(mut_arg("email", |a| a.help(
    "Mail the invitation to the member's email (the default when they have one)"
)))]
#[command(mut_arg("sms", |a| a.help(
    "Text the invitation to the member's mobile (the default when they have no email)"
)))]
#[command(mut_arg("link", |a| a.help(
    "Make a link and print it, to pass on (the default when they have neither); needs a \
     gateway this command can reach"
)))]
pub struct InviteArgs {
    /// The member (Not Joined): id, email or username.
    member: String,
    #[command(flatten)]
    via: ChannelFlags,
    /// en or zh-CN: the language of the mail, the text message and the invitee's pages
    /// (default: the organization's invitation language, `orgdesk settings`).
    #[arg(long, value_name = "LANG")]
    language: Option<String>,
    #[command(flatten)]
    gateway: GatewayArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// List invitations, newest first.
    List {
        /// queued, sent, delivered, opened, failed, registered, declined, expired, cancelled,
        /// open (the first five) or all.
        #[arg(long, default_value = "all")]
        state: String,
        /// Only those whose member's name, username, email or mobile contains this text.
        #[arg(long, default_value = "")]
        search: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Send a fresh link for each of these invitations (their old links stop working); the
    /// gateway is told at the next `orgdesk sync` or while the window is open. In one go:
    /// those already closed are passed over and named (exit 1).
    Resend(BatchArgs),
    /// Cancel each of these invitations (their links stop working once the gateway is told).
    /// In one go: those already closed are passed over and named (exit 1).
    Cancel(BatchArgs),
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Invitation ids, as `orgdesk invitations list` shows them.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<i64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

const STATES: [InvitationState; 9] = [
    InvitationState::Queued,
    InvitationState::Sent,
    InvitationState::Delivered,
    InvitationState::Opened,
    InvitationState::Failed,
    InvitationState::Registered,
    InvitationState::Declined,
    InvitationState::Expired,
    InvitationState::Cancelled,
];

fn refused(reason: String) -> CommandError {
    CommandError::new(ErrorCode::Validation, reason)
}

/// Queues the invitation and, when a gateway can be reached from here, hands it over at once
/// (a link is only made by the gateway, so `--link` needs one).
pub fn invite(d: Directory, as_admin: Option<&str>, a: InviteArgs) -> Output {
    let actor = actor(&d, as_admin)?;
    let id = d.find_member(&a.member)?;
    let language = a
        .language
        .as_deref()
        .map(parse_language)
        .transpose()
        .map_err(refused)?;
    let member = d.member_details(id)?;
    let channel = a.via.chosen().unwrap_or(if member.email.is_some() {
        InviteChannel::Email
    } else if member.mobile.is_some() {
        InviteChannel::Sms
    } else {
        InviteChannel::Link
    });
    // A link needs the gateway: ask for it before anything is queued.
    let client = if channel == InviteChannel::Link || names_gateway(&d, &a.gateway)? {
        Some(orgdesk_link::GatewayClient::new(endpoint(&d, &a.gateway)?))
    } else {
        None
    };
    let mut d = d;
    // On a computer in a team an `invitation.send` change, sent from here once it is back.
    let kept = crate::cli_edit::edit(
        &mut d,
        &actor,
        |d| Command::send_invitations(d, &[id], channel, language),
        |d, a| d.invite_members_in(a, &[id], channel, language),
        |_, out| match out.skipped.into_iter().next() {
            Some(skipped) => Err(CommandError::new(ErrorCode::Conflict, skipped.reason)),
            None => Ok(String::new()),
        },
    )?;
    if !kept.is_empty() {
        return Ok(kept);
    }
    let dir: SharedDirectory = Arc::new(Mutex::new(d));
    if let Some(client) = &client {
        tauri::async_runtime::block_on(send_round(&dir, client, true));
    }
    let d = dir
        .lock()
        .map_err(|_| CoreError::Internal("The directory could not be reached.".into()))?;
    // In a team, the gateway's id of what was sent goes to the other computers now (else with
    // the next sync), so that the invitee's answer reaches them.
    if let (Some(account), Some(_)) = (d.team_device_account()?, &client) {
        let _ = crate::cli_sync::team_round_now(&d, &account);
    }
    let row = d
        .list_invitations(&InvitationQuery {
            member_id: Some(id),
            limit: Some(1),
            ..InvitationQuery::default()
        })?
        .into_iter()
        .next()
        .ok_or_else(|| CoreError::Internal("The invitation could not be read back.".into()))?;
    invite_answer(&row, client.is_some(), a.json)
}

fn invite_answer(row: &InvitationRow, sent: bool, json: bool) -> Output {
    let name = &row.member_name;
    match (row.state, &row.link) {
        (InvitationState::Failed, _) => {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                format!(
                    "The gateway refused the invitation to {name}: {}",
                    row.last_error.as_deref().unwrap_or("no reason given")
                ),
            ))
        }
        (InvitationState::Queued, _) if row.channel == InviteChannel::Link => {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                format!(
                    "The invitation to {name} is queued, but the gateway could not make its link ({}). \
                     Run `orgdesk sync` later, then `orgdesk invitations list`.",
                    row.last_error.as_deref().unwrap_or("no answer")
                ),
            ))
        }
        _ => {}
    }
    if json {
        return to_json(row);
    }
    let lang = row.language.code();
    Ok(match (row.channel, &row.link) {
        (InviteChannel::Link, Some(link)) => link.clone(),
        _ if !sent || row.state == InvitationState::Queued => format!(
            "The invitation to {name} ({}, {lang}) is queued: `orgdesk sync` or the open window sends it.",
            row.recipient
        ),
        (InviteChannel::Sms, _) => format!("An invitation ({lang}) was texted to {}.", row.recipient),
        _ => format!("An invitation ({lang}) was mailed to {}.", row.recipient),
    })
}

pub fn invitations(
    d: &mut Directory,
    as_admin: Option<&str>,
    command: InvitationsCommand,
) -> Output {
    match command {
        InvitationsCommand::List {
            state,
            search,
            json,
        } => {
            let states = match state.trim() {
                "all" => Vec::new(),
                "open" => STATES.into_iter().filter(|s| s.is_open()).collect(),
                s => vec![STATES
                    .into_iter()
                    .find(|x| x.as_str() == s)
                    .ok_or_else(|| {
                        refused(format!(
                            "--state must be one of {}, open or all, not \"{s}\".",
                            STATES.map(|x| x.as_str()).join(", ")
                        ))
                    })?],
            };
            let page = d.invitation_page(&InvitationQuery {
                states,
                search: Some(search),
                limit: Some(MAX_INVITATION_PAGE),
                ..InvitationQuery::default()
            })?;
            if json {
                return to_json(&page);
            }
            let mut out = format!("{} invitations", page.total);
            for r in &page.rows {
                out.push_str(&format!(
                    "\n{:>6}  {}  {} {}  {}  {}{}",
                    r.id,
                    r.member_name,
                    r.channel.as_str(),
                    r.recipient,
                    r.state.as_str(),
                    r.language.code(),
                    r.link
                        .as_deref()
                        .map(|l| format!("  {l}"))
                        .unwrap_or_default()
                ));
            }
            Ok(out)
        }
        InvitationsCommand::Resend(a) => change(d, as_admin, a, InvitationChange::Resend),
        InvitationsCommand::Cancel(a) => change(d, as_admin, a, InvitationChange::Cancel),
    }
}

/// Resends or cancels the invitations `a` names; on a computer in a team as an
/// `invitation.resend` or `invitation.cancel` change, told to the gateway from here.
fn change(
    d: &mut Directory,
    as_admin: Option<&str>,
    a: BatchArgs,
    change: InvitationChange,
) -> Output {
    let actor = actor(d, as_admin)?;
    let ids = a.ids;
    crate::cli_edit::edit(
        d,
        &actor,
        |d| Command::change_invitations(d, &ids, change),
        |d, by| d.change_invitations(by, &ids, change),
        |_, out| {
            let done = match change {
                InvitationChange::Resend => "Resent",
                InvitationChange::Cancel => "Cancelled",
            };
            batch_answer(out, done, a.json)
        },
    )
}

/// All changed: the answer. Some passed over: the answer is printed here (the others were
/// changed) and the passed-over ones are the refusal (stderr, exit 1).
fn batch_answer(out: InvitationBatchOutcome, done: &str, json: bool) -> Output {
    let text = if json {
        to_json(&out)?
    } else {
        format!("{done} {} invitations.", out.changed)
    };
    if out.skipped.is_empty() {
        return Ok(text);
    }
    println!("{text}");
    let mut e = CommandError::new(
        ErrorCode::Conflict,
        format!("{} invitations were passed over:", out.skipped.len()),
    );
    e.details = out.skipped;
    Err(e)
}
