//! `orgdesk team start|enroll|join|devices|revoke`: this computer in team mode. The Super
//! Admin's computer, holding the organization's API token, becomes the first device of its
//! gateway account and uploads the directory's snapshot; other admins' computers join with a
//! one-time code and their password and start from that snapshot. Each computer's device
//! credential is kept in the system keyring under the gateway's address (`device-token URL`),
//! as the API token is (`gateway-token URL`), and nowhere else.

use std::path::Path;

use clap::Subcommand;
use orgdesk_core::auth::AdminRank;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::{Device, JoinTeam, RegisterDevice};
use tauri::async_runtime::block_on;

use crate::cli_directory::{ranked_actor, read_password};
use crate::cli_sync::{api_endpoint, endpoint, GatewayArgs};
use crate::gateway_link::{
    call_failed, checked_url, keyring_forget_secret, keyring_store_secret, name_remote, Secret,
};

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
) -> Result<String, CommandError> {
    match c {
        TeamCommand::Join {
            url,
            username,
            device_name,
        } => join(db_path, &url, &username, device_name),
        TeamCommand::Start {
            gateway,
            device_name,
        } => start(
            &mut open_existing(db_path)?,
            &gateway,
            as_admin,
            device_name,
        ),
        TeamCommand::Enroll { gateway, username } => {
            let d = open_existing(db_path)?;
            let account_id = account_of(&d, &username)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            let code = block_on(client.create_enrollment(&account_id)).map_err(call_failed)?;
            Ok(format!(
                "Enrollment code for {username}: {}\nIt works once, until {} UTC: on the other \
                 computer, run `orgdesk team join {} --username {username} --db PATH` and give \
                 the code and {username}'s password.",
                code.code,
                orgdesk_core::spreadsheet::format_time(code.expires_at * 1000),
                client.endpoint().base
            ))
        }
        TeamCommand::Devices { gateway, json } => {
            let d = open_existing(db_path)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            let list = block_on(client.devices()).map_err(call_failed)?;
            if json {
                return serde_json::to_string(&list).map_err(|e| {
                    CoreError::Internal(format!("The list could not be encoded: {e}")).into()
                });
            }
            Ok(devices_text(&list.devices))
        }
        TeamCommand::Revoke { gateway, device } => {
            let d = open_existing(db_path)?;
            let client = GatewayClient::new(endpoint(&d, &gateway)?);
            block_on(client.revoke_device(&device)).map_err(call_failed)?;
            Ok(format!(
                "Revoked {device}: its credential is refused from now on."
            ))
        }
    }
}

/// The gateway account of the member `username`; refused while the gateway has none for them.
fn account_of(d: &Directory, username: &str) -> Result<String, CommandError> {
    let id = d.find_member(username)?;
    d.gateway_account_of(id)?.ok_or_else(|| {
        CommandError::new(
            ErrorCode::Conflict,
            format!(
                "The gateway has no account for {username} yet: send it the directory's accounts \
                 first with `orgdesk sync`."
            ),
        )
    })
}

fn start(
    d: &mut Directory,
    args: &GatewayArgs,
    as_admin: Option<&str>,
    device_name: Option<String>,
) -> Result<String, CommandError> {
    // Team mode is started from a Super Admin's computer.
    let admin = ranked_actor(d, as_admin, AdminRank::SuperAdmin)?;
    let details = d.member_details(admin.id.ok_or(CoreError::NotInitialized)?)?;
    let username = details.username.clone().unwrap_or_default();
    let account_id = account_of(d, &username)?;
    let endpoint = api_endpoint(d, args)?;
    let base = endpoint.base.clone();
    let client = GatewayClient::new(endpoint);
    let req = RegisterDevice {
        account_id,
        device_name: device_name.unwrap_or_else(host_name),
    };
    let credential = block_on(client.register_device(&req)).map_err(call_failed)?;
    keep_credential(&base, &credential.device_token)?;
    d.set_team_device_account(&credential.account_id)?;
    let at_seq = d.team_cursor()?;
    let snapshot = d.write_snapshot(u64::try_from(at_seq).unwrap_or_default())?;
    let size = snapshot.len();
    let device = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: credential.device_token,
    });
    block_on(device.put_snapshot(at_seq, snapshot)).map_err(call_failed)?;
    Ok(format!(
        "This computer is now device {} of {username} on {base}; its credential is kept in the \
         system keyring.\nSnapshot uploaded: {} at change {at_seq}.",
        credential.device_id,
        size_text(size)
    ))
}

fn join(
    db_path: &Path,
    url: &str,
    username: &str,
    device_name: Option<String>,
) -> Result<String, CommandError> {
    if db_path.exists() {
        return Err(
            CoreError::from(orgdesk_core::error::SnapshotProblem::FileExists(
                db_path.display().to_string(),
            ))
            .into(),
        );
    }
    let base = checked_url(url)?;
    let code = read_password()?;
    let password = read_password()?;
    if code.trim().is_empty() || password.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Validation,
            "Give the enrollment code on the first line of standard input and the password on \
             the second.",
        ));
    }
    let anonymous = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: String::new(),
    });
    let req = JoinTeam {
        code: code.trim().to_owned(),
        username: username.trim().to_owned(),
        password,
        device_name: device_name.unwrap_or_else(host_name),
    };
    let credential = block_on(anonymous.join_team(&req)).map_err(call_failed)?;
    keep_credential(&base, &credential.device_token)?;
    let device = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: credential.device_token,
    });
    let (at_seq, snapshot) = block_on(device.snapshot()).map_err(call_failed)?;
    let (mut d, _) = Directory::load_snapshot(db_path, &snapshot)?;
    name_remote(&mut d, &base)?;
    d.set_team_device_account(&credential.account_id)?;
    let members = d
        .directory_checksum()?
        .parts
        .iter()
        .find(|p| p.part == "members")
        .map_or(0, |p| p.rows);
    Ok(format!(
        "This computer joined the team on {base} as device {}; its credential is kept in the \
         system keyring.\nDirectory created at {} from the snapshot at change {at_seq} \
         ({members} members).",
        credential.device_id,
        db_path.display()
    ))
}

/// Keeps this computer's device credential for the gateway at `base` in the system keyring
/// (nowhere else); a credential kept before for that address is replaced.
fn keep_credential(base: &str, token: &str) -> Result<(), CommandError> {
    block_on(keyring_forget_secret(Secret::DeviceToken, base));
    block_on(keyring_store_secret(Secret::DeviceToken, base, token)).map_err(|why| {
        CommandError::new(
            ErrorCode::Internal,
            format!(
                "This computer's credential could not be saved in the system keyring ({why}). \
                 Orgdesk keeps it only there: revoke the new device with `orgdesk team revoke` \
                 and try again once the keyring works."
            ),
        )
    })
}

/// This computer's host name, for the device list.
fn host_name() -> String {
    ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Orgdesk desktop".to_owned())
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn devices_text(devices: &[Device]) -> String {
    let time = |s: Option<i64>| {
        s.map_or("—".to_owned(), |s| {
            orgdesk_core::spreadsheet::format_time(s * 1000)
        })
    };
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
            time(Some(d.created_at)),
            time(d.last_seen_at)
        ));
    }
    out
}
