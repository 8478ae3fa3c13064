//! `orgdesk team start|enroll|join|devices|revoke`: this computer in team mode, through the
//! flows the window's Team card runs too (`team_setup.rs`). The Super Admin's computer,
//! holding the organization's API token, becomes the first device of its gateway account and
//! uploads the directory's snapshot; other admins' computers join with a one-time code and
//! their password and start from that snapshot. Each computer's device credential is kept in
//! the system keyring under the gateway's address (`device-token URL`), as the API token is
//! (`gateway-token URL`), and nowhere else.

use std::path::Path;

use clap::Subcommand;
use orgdesk_core::auth::AdminRank;
use orgdesk_core::team::TeamDevice;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use orgdesk_link::GatewayClient;
use tauri::async_runtime::block_on;

use crate::cli_directory::{ranked_actor, read_password};
use crate::cli_output::Output;
use crate::cli_sync::{api_endpoint, endpoint, GatewayArgs};
use crate::state::AppState;
use crate::team_setup;

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Make this computer, which holds the organization's API token, the first device of the
    /// Super Admin's gateway account (the admin `--as` names, else the initial admin), keep its
    /// credential in the system keyring and upload the directory's snapshot for the computers
    /// that join.
    Start {
        #[command(flatten)]
        gateway: GatewayArgs,
        /// What to call this computer in the device list (default: its host name).
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
    },
    /// Print a one-time code with which the admin USERNAME enrolls another computer, and
    /// when it expires.
    Enroll {
        #[command(flatten)]
        gateway: GatewayArgs,
        /// The admin whose computer the code enrolls.
        #[arg(long, value_name = "USERNAME")]
        username: String,
    },
    /// Join the team at the gateway URL from this computer: reads the enrollment code and the
    /// admin's password from standard input (two lines), keeps this computer's credential in
    /// the system keyring and creates the directory at --db from the team's snapshot (never
    /// over an existing file).
    Join {
        /// The gateway's address.
        url: String,
        /// The admin the code was made for.
        #[arg(long, value_name = "USERNAME")]
        username: String,
        /// What to call this computer in the device list (default: its host name).
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
    },
    /// List the team's devices, revoked ones included.
    Devices {
        #[command(flatten)]
        gateway: GatewayArgs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device: its credential is refused from now on.
    Revoke {
        #[command(flatten)]
        gateway: GatewayArgs,
        /// The device's id (`dev_…`, see `orgdesk team devices`).
        device: String,
    },
}

/// Runs a team command on the directory at `db_path`; `open_existing` opens it (every command
/// but `join`, which creates it).
pub fn team(
    c: TeamCommand,
    db_path: &Path,
    as_admin: Option<&str>,
    open_existing: fn(&Path) -> Result<Directory, CommandError>,
) -> Output {
    match c {
        TeamCommand::Join {
            url,
            username,
            device_name,
        } => join(db_path, &url, &username, device_name),
        TeamCommand::Start {
            gateway,
            device_name,
        } => {
            let d = open_existing(db_path)?;
            // Team mode is started from a Super Admin's computer.
            let admin = ranked_actor(&d, as_admin, AdminRank::SuperAdmin)?;
            let admin = admin.id.ok_or(CoreError::NotInitialized)?;
            let api = api_endpoint(&d, &gateway)?;
            let state = AppState::new(d, db_path.to_owned());
            let s = block_on(team_setup::start(&state, api, admin, device_name))?;
            Ok(format!(
                "This computer is now device {} of {} on {}; its credential is kept in the \
                 system keyring.\nSnapshot uploaded: {} at change {}.",
                s.device_id,
                s.username,
                s.base,
                size_text(s.snapshot_bytes),
                s.at_seq
            ))
        }
        TeamCommand::Enroll { gateway, username } => {
            let d = open_existing(db_path)?;
            let member = d.find_member(&username)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            let state = AppState::new(d, db_path.to_owned());
            let code = block_on(team_setup::enroll(&state, &client, member))?;
            Ok(format!(
                "Enrollment code for {username}: {}\nIt works once, until {} UTC: on the other \
                 computer, run `orgdesk team join {} --username {username} --db PATH` and give \
                 the code and {username}'s password.",
                code.code,
                orgdesk_core::spreadsheet::format_time(code.expires_at),
                code.gateway
            ))
        }
        TeamCommand::Devices { gateway, json } => {
            let d = open_existing(db_path)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            let this = d.team_device_id()?;
            let list = block_on(team_setup::devices(&client, this.as_deref()))?;
            if json {
                return Ok(serde_json::json!({ "devices": list.iter().map(device_json).collect::<Vec<_>>() }).to_string());
            }
            Ok(devices_text(&list))
        }
        TeamCommand::Revoke { gateway, device } => {
            let d = open_existing(db_path)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            block_on(team_setup::revoke(&client, &device))?;
            Ok(format!(
                "Revoked {device}: its credential is refused from now on."
            ))
        }
    }
}

fn join(db_path: &Path, url: &str, username: &str, device_name: Option<String>) -> Output {
    team_setup::refuse_existing(db_path)?;
    let code = read_password()?;
    let password = read_password()?;
    if code.trim().is_empty() || password.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Validation,
            "Give the enrollment code on the first line of standard input and the password on \
             the second.",
        ));
    }
    let joined = block_on(team_setup::join(
        url,
        &code,
        username,
        password,
        device_name,
    ))?;
    let (_, members) = team_setup::create_joined(db_path, &joined)?;
    Ok(format!(
        "This computer joined the team on {} as device {}; its credential is kept in the \
         system keyring.\nDirectory created at {} from the snapshot at change {} \
         ({members} members).",
        joined.base,
        joined.credential.device_id,
        db_path.display(),
        joined.at_seq
    ))
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// A device as `--json` has always printed it: the gateway's fields, times in Unix seconds.
fn device_json(d: &TeamDevice) -> serde_json::Value {
    let secs = |ms: Option<i64>| ms.map(|ms| ms / 1000);
    serde_json::json!({
        "device_id": d.device_id,
        "account_id": d.account_id,
        "username": d.username,
        "device_name": d.device_name,
        "created_at": d.enrolled_at / 1000,
        "last_seen_at": secs(d.last_seen_at),
        "revoked_at": secs(d.revoked_at),
    })
}

fn devices_text(devices: &[TeamDevice]) -> String {
    let time = |ms: Option<i64>| ms.map_or("—".to_owned(), orgdesk_core::spreadsheet::format_time);
    let mut out =
        String::from("device                            admin         name  (created, last seen)");
    for d in devices {
        let state = match d.revoked_at {
            Some(at) => format!("  revoked {}", time(Some(at))),
            None => String::new(),
        };
        out.push_str(&format!(
            "\n{}  {}  {}  ({}, {}){state}",
            d.device_id,
            d.username,
            d.device_name,
            time(Some(d.enrolled_at)),
            time(d.last_seen_at)
        ));
    }
    out
}
