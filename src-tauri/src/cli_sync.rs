//! `orgdesk sync`: sends what the directory has for the gateway (the account mirror,
//! refusals, join decisions, invitations) and applies the gateway's events, the same rounds
//! the open window runs, then exits. With `--follow SECONDS` it keeps doing so for that long.
//! On a computer enrolled in a team (the directory names its device's account, and the token
//! is the device's) each round also sends this computer's pending commands to the change log
//! and applies the log.

use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use orgdesk_core::team::RefusedChange;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use orgdesk_link::{
    pull_round, send_round, team_round, Endpoint, GatewayClient, SharedDirectory, TeamReport,
};

use crate::cli_output::{to_json, Output};
use crate::gateway_link::link_secret;

/// Which gateway a command calls, and with what token.
#[derive(Debug, Default, Args)]
pub struct GatewayArgs {
    /// The gateway's address (default: the remote gateway chosen in Settings).
    #[arg(long, value_name = "URL")]
    pub(crate) gateway: Option<String>,
    /// Read the organization's API token from the first line of standard input (default: the
    /// token kept in the system keyring for the gateway chosen in Settings).
    #[arg(long)]
    pub(crate) token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    gateway: GatewayArgs,
    /// Keep sending and following the event feed for this many seconds, then exit.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    follow: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Totals {
    accounts_mirrored: usize,
    refusals_sent: usize,
    decisions_sent: usize,
    invitation_calls: usize,
    events_applied: usize,
    members_changed: usize,
    changes_sent: usize,
    changes_applied: usize,
    changes_refused: usize,
    /// This computer's commands not yet back from the log, and the ones the log refused.
    pending: usize,
    my_refused: Vec<RefusedChange>,
    waiting: Vec<String>,
}

/// Whether a gateway this command can reach is named: by `args`, or the remote one chosen in
/// Settings (not the built-in one, which runs only inside the window).
pub(crate) fn names_gateway(dir: &Directory, args: &GatewayArgs) -> Result<bool, CommandError> {
    let mode = dir.local_value(crate::gateway_link::MODE_KEY)?;
    Ok(args.gateway.is_some() || mode.as_deref() == Some("remote"))
}

/// The address of the gateway `args` name, else of the remote one chosen in Settings; refused
/// (exit 1) for the built-in gateway, which runs only inside the window.
pub(crate) fn gateway_base(dir: &Directory, args: &GatewayArgs) -> Result<String, CommandError> {
    let configured = (
        dir.local_value(crate::gateway_link::MODE_KEY)?,
        dir.local_value(crate::gateway_link::REMOTE_URL_KEY)?,
    );
    match (args.gateway.clone(), configured) {
        (Some(url), _) => Ok(url.trim().trim_end_matches('/').to_owned()),
        (None, (Some(mode), Some(url))) if mode == "remote" => Ok(url),
        _ => Err(CommandError::new(
            ErrorCode::Conflict,
            "This directory works on this computer only, through the built-in gateway that \
             runs inside the Orgdesk window: open the window to reach it, or name your \
             organization's gateway with --gateway URL --token-stdin.",
        )),
    }
}

/// The gateway `args` name, else the remote one chosen in Settings, with its token: the one
/// read from standard input, else the secret the window's link presents too
/// (`gateway_link::link_secret`: on a computer enrolled in a team, its device credential kept
/// in the system keyring; else the organization's API token).
pub(crate) fn endpoint(dir: &Directory, args: &GatewayArgs) -> Result<Endpoint, CommandError> {
    if args.token_stdin {
        return api_endpoint(dir, args);
    }
    let base = gateway_base(dir, args)?;
    let in_team = dir.team_device_account()?.is_some();
    let (_, token) = tauri::async_runtime::block_on(link_secret(&base, in_team))
        .map_err(|why| no_token(&base, &why))?;
    Ok(Endpoint { base, token })
}

/// The gateway `args` name, else the remote one chosen in Settings, with the organization's
/// API token (read from standard input, or kept in the system keyring); refused (exit 1) for
/// the built-in gateway, which runs only inside the window.
pub(crate) fn api_endpoint(dir: &Directory, args: &GatewayArgs) -> Result<Endpoint, CommandError> {
    let base = gateway_base(dir, args)?;
    let token = if args.token_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CoreError::Internal(format!("Standard input could not be read: {e}")))?;
        line.trim().to_owned()
    } else {
        tauri::async_runtime::block_on(crate::gateway_link::keyring_token(&base))
            .map_err(|why| no_token(&base, &why))?
    };
    if token.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Validation,
            "The gateway's token is empty.",
        ));
    }
    Ok(Endpoint { base, token })
}

/// No token for `base` could be read from the system keyring.
fn no_token(base: &str, why: &str) -> CommandError {
    CommandError::new(
        ErrorCode::Conflict,
        format!("No token for {base} in the system keyring ({why}). Pass it with --token-stdin."),
    )
}

/// Why a team round left this computer's commands queued.
pub(crate) enum RoundFailed {
    /// The gateway could not be reached or read; the next round sends them.
    NotReached(String),
    /// The gateway refused this computer's credential (revoked, or its admin's account
    /// disabled): they cannot be sent from here.
    TokenRefused(String),
}

/// One team round for the directory `d`, on a computer enrolled as a device of `account`:
/// this computer's pending commands go to the change log, and the log comes back applied to
/// its end (through a second connection to the same file, which `d` then reads).
pub(crate) fn team_round_now(d: &Directory, account: &str) -> Result<TeamReport, RoundFailed> {
    let endpoint =
        endpoint(d, &GatewayArgs::default()).map_err(|e| RoundFailed::NotReached(e.message))?;
    let path = d.connection().path().unwrap_or_default();
    let second = Directory::open(std::path::Path::new(path))
        .map_err(|e| RoundFailed::NotReached(e.to_string()))?;
    let shared: SharedDirectory = Arc::new(Mutex::new(second));
    let client = GatewayClient::new(endpoint);
    let report = tauri::async_runtime::block_on(team_round(&shared, &client, account, 0))
        .map_err(RoundFailed::NotReached)?;
    match report.send_failed {
        Some(why) if report.token_refused => Err(RoundFailed::TokenRefused(why)),
        Some(why) => Err(RoundFailed::NotReached(why)),
        None => Ok(report),
    }
}

pub fn sync(dir: Directory, args: SyncArgs) -> Output {
    let endpoint = endpoint(&dir, &args.gateway)?;
    let team = dir.team_device_account()?;
    let dir: SharedDirectory = Arc::new(Mutex::new(dir));
    let client = GatewayClient::new(endpoint);
    let mut totals =
        tauri::async_runtime::block_on(rounds(&dir, &client, args.follow, team.as_deref()))?;
    if team.is_some() {
        let d = dir
            .lock()
            .map_err(|_| CoreError::Internal("The directory is unusable.".into()))?;
        totals.pending = d.pending_commands()?.len();
        totals.my_refused = d.my_refused_changes()?;
    }
    if args.json {
        return to_json(&totals);
    }
    let mut out = format!(
        "Sent: {} accounts mirrored, {} invitation calls, {} join decisions, {} refusals.\n\
         Applied: {} events ({} members changed).",
        totals.accounts_mirrored,
        totals.invitation_calls,
        totals.decisions_sent,
        totals.refusals_sent,
        totals.events_applied,
        totals.members_changed
    );
    if team.is_some() {
        out.push_str(&format!(
            "\nTeam: {} changes sent, {} applied, {} refused.\nWaiting on this computer: {} \
             changes.",
            totals.changes_sent, totals.changes_applied, totals.changes_refused, totals.pending
        ));
        // The newest first; the whole list with --json.
        for r in totals.my_refused.iter().take(10) {
            out.push_str(&format!("\nRefused: {}: {}", r.what, r.reason));
        }
    }
    for why in &totals.waiting {
        out.push_str(&format!("\nWaiting: {why}"));
    }
    Ok(out)
}

async fn rounds(
    dir: &SharedDirectory,
    client: &GatewayClient,
    follow: u64,
    team: Option<&str>,
) -> Result<Totals, CommandError> {
    let deadline = Instant::now() + Duration::from_secs(follow);
    let mut totals = Totals::default();
    let mut reached = false;
    let mut last_problem = None;
    // Bounded even when the gateway keeps finding more: at most 10,000 rounds.
    for _ in 0..10_000 {
        let sent = send_round(dir, client, true).await;
        totals.accounts_mirrored += sent.mirrored;
        totals.refusals_sent += sent.refusals;
        totals.decisions_sent += sent.decisions;
        totals.invitation_calls += sent.invitations;
        if let Some(why) = &sent.mirror_failed {
            last_problem = Some(why.clone());
        } else if sent.mirrored > 0 {
            reached = true;
        }
        if let Some(contact) = &sent.last_contact {
            match contact {
                Ok(()) => reached = true,
                Err(why) => last_problem = Some(why.clone()),
            }
        }
        totals.waiting = sent.waiting.clone();
        let remaining = deadline.saturating_duration_since(Instant::now()).as_secs();
        let wait = if sent.busy() { 0 } else { remaining.min(5) };
        // A computer in a team applies the log first, so that the feed's events about an
        // invitation another computer sent find it here; and again after the feed, to send what
        // the feed brought (a join request).
        if let Some(account) = team {
            team_totals(
                &mut totals,
                &mut last_problem,
                team_round(dir, client, account, 0).await,
            );
        }
        let pulled = match pull_round(dir, client, wait, || true).await {
            Ok(p) => {
                reached = true;
                p
            }
            Err(why) => {
                last_problem = Some(why);
                if Instant::now() >= deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        totals.events_applied += pulled.events;
        totals.members_changed += pulled.changed.len();
        if let Some(account) = team {
            team_totals(
                &mut totals,
                &mut last_problem,
                team_round(dir, client, account, 0).await,
            );
        }
        if !sent.busy() && pulled.caught_up && Instant::now() >= deadline {
            break;
        }
        if !sent.busy() && pulled.events == 0 && wait == 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    if !reached {
        // A computer in a team whose credential the gateway refuses was removed from it.
        if team.is_some()
            && matches!(
                client.changes(0, 1, 0).await,
                Err(orgdesk_link::CallError::TokenRefused(_))
            )
        {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                crate::gateway_link::REMOVED_FROM_TEAM,
            ));
        }
        return Err(CommandError::new(
            ErrorCode::Conflict,
            format!(
                "The gateway could not be reached: {}. Everything stays queued in the directory.",
                last_problem.unwrap_or_else(|| "no answer".into())
            ),
        ));
    }
    if let Some(why) = last_problem {
        if totals.waiting.is_empty() {
            totals.waiting.push(why);
        }
    }
    Ok(totals)
}

/// Adds what a team round did to `totals`; a failure is the last problem.
fn team_totals(
    totals: &mut Totals,
    last_problem: &mut Option<String>,
    round: Result<TeamReport, String>,
) {
    match round {
        Ok(r) => {
            if let Some(why) = r.send_failed {
                *last_problem = Some(why);
            }
            totals.changes_sent += r.sent;
            totals.changes_applied += r.applied;
            totals.changes_refused += r.refused;
        }
        Err(why) => *last_problem = Some(why),
    }
}
