//! Team mode's setup, one implementation for the window (`commands/team.rs`) and the command
//! line (`orgdesk team start|enroll|join|devices|revoke`, `cli_team.rs`): the Super Admin's
//! computer, holding the organization's API token, becomes the first device of its gateway
//! account and uploads the directory's snapshot; an admin's computer gets a one-time code for
//! another computer of theirs, which joins with it and their password and starts from that
//! snapshot; devices are listed and revoked. Each computer's device credential is kept in the
//! system keyring under the gateway's address (`device-token URL`), as the API token is
//! (`gateway-token URL`), and nowhere else; its device id and name are kept in the directory
//! beside its account, for the window to show.

use std::path::Path;

use orgdesk_core::auth::AdminRank;
use orgdesk_core::error::SnapshotProblem;
use orgdesk_core::team::{TeamDevice, TeamEnrollment};
use orgdesk_core::types::{MemberId, MemberRef};
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode, ErrorDetail};
use orgdesk_link::{CallError, Endpoint, GatewayClient};
use orgdesk_protocol::{DeviceCredential, JoinTeam, RegisterDevice};

use crate::gateway_link::{
    call_failed, checked_url, keyring_forget_secret, keyring_store_secret, name_remote, Secret,
};
use crate::state::AppState;

/// This computer made the first device of its admin's account.
pub struct Started {
    pub device_id: String,
    pub username: String,
    pub base: String,
    /// The snapshot uploaded: its size in bytes and its change log position.
    pub snapshot_bytes: usize,
    pub at_seq: i64,
}

/// Makes this computer, whose `api` endpoint holds the organization's API token, the first
/// device of the gateway account of `admin` (whom the caller has checked is a Super Admin),
/// keeps its credential in the system keyring and uploads the directory's snapshot.
pub async fn start(
    state: &AppState,
    api: Endpoint,
    admin: MemberId,
    device_name: Option<String>,
) -> Result<Started, CommandError> {
    let (username, account_id) = state
        .with_directory(move |d| {
            let member = member_ref(d, admin)?;
            let account = account_of(d, &member)?;
            Ok((member.username.unwrap_or_default(), account))
        })
        .await?;
    let base = api.base.clone();
    let name = device_name.unwrap_or_else(host_name);
    let req = RegisterDevice {
        account_id,
        device_name: name.clone(),
    };
    let credential = GatewayClient::new(api)
        .register_device(&req)
        .await
        .map_err(call_failed)?;
    keep_credential(&base, &credential.device_token).await?;
    let (account, id) = (credential.account_id.clone(), credential.device_id.clone());
    let (at_seq, snapshot) = state
        .with_directory(move |d| {
            d.set_team_device(&account, &id, &name)?;
            let at_seq = d.team_cursor()?;
            Ok((
                at_seq,
                d.write_snapshot(u64::try_from(at_seq).unwrap_or_default())?,
            ))
        })
        .await?;
    let snapshot_bytes = snapshot.len();
    device_client(&base, &credential)
        .put_snapshot(at_seq, snapshot)
        .await
        .map_err(call_failed)?;
    Ok(Started {
        device_id: credential.device_id,
        username,
        base,
        snapshot_bytes,
        at_seq,
    })
}

/// A one-time code with which the admin `member` enrolls another computer.
pub async fn enroll(
    state: &AppState,
    client: &GatewayClient,
    member: MemberId,
) -> Result<TeamEnrollment, CommandError> {
    let (member, account_id) = state
        .with_directory(move |d| {
            let member = member_ref(d, member)?;
            d.admin_actor(member.id, AdminRank::Admin)
                .map_err(|_| not_an_admin(&member))?;
            let account = account_of(d, &member)?;
            Ok((member, account))
        })
        .await?;
    let code = client
        .create_enrollment(&account_id)
        .await
        .map_err(call_failed)?;
    Ok(TeamEnrollment {
        code: code.code,
        expires_at: code.expires_at * 1000,
        gateway: client.endpoint().base.clone(),
        member,
    })
}

/// The team's devices, revoked ones included, oldest first; `this_device` marks this
/// computer's.
pub async fn devices(
    client: &GatewayClient,
    this_device: Option<&str>,
) -> Result<Vec<TeamDevice>, CommandError> {
    let list = client.devices().await.map_err(call_failed)?;
    let ms = |s: i64| s * 1000;
    Ok(list
        .devices
        .into_iter()
        .map(|d| TeamDevice {
            this_computer: this_device == Some(d.device_id.as_str()),
            device_id: d.device_id,
            device_name: d.device_name,
            account_id: d.account_id,
            username: d.username,
            enrolled_at: ms(d.created_at),
            last_seen_at: d.last_seen_at.map(ms),
            revoked_at: d.revoked_at.map(ms),
        })
        .collect())
}

/// Revokes a device: its credential is refused from now on.
pub async fn revoke(client: &GatewayClient, device_id: &str) -> Result<(), CommandError> {
    client.revoke_device(device_id).await.map_err(call_failed)
}

/// A computer that joined: its credential kept, the team's snapshot downloaded.
pub struct Joined {
    pub base: String,
    pub credential: DeviceCredential,
    pub device_name: String,
    pub at_seq: i64,
    pub snapshot: Vec<u8>,
}

/// Joins the team at `url` with a one-time code and the admin's username and password: keeps
/// this computer's credential in the system keyring and downloads the team's snapshot, from
/// which [`create_joined`] makes the directory. A wrong, used or expired code and a wrong
/// password are one refusal (`details`: `code_refused`), as the gateway answers them alike;
/// too many tries (`rate_limited`) and a gateway not reached (`unreachable`) are named too.
pub async fn join(
    url: &str,
    code: &str,
    username: &str,
    password: String,
    device_name: Option<String>,
) -> Result<Joined, CommandError> {
    let base = checked_url(url)?;
    let anonymous = GatewayClient::new(Endpoint {
        base: base.clone(),
        token: String::new(),
    });
    let device_name = device_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(host_name);
    let req = JoinTeam {
        code: code.trim().to_owned(),
        username: username.trim().to_owned(),
        password,
        device_name: device_name.clone(),
    };
    let credential = anonymous.join_team(&req).await.map_err(join_failed)?;
    keep_credential(&base, &credential.device_token).await?;
    let (at_seq, snapshot) = device_client(&base, &credential)
        .snapshot()
        .await
        .map_err(join_failed)?;
    Ok(Joined {
        base,
        credential,
        device_name,
        at_seq,
        snapshot,
    })
}

/// Creates the directory at `path` (never over an existing file) from a joined computer's
/// snapshot, naming the team's gateway and this computer's device; answers it and how many
/// members it holds.
pub fn create_joined(path: &Path, joined: &Joined) -> Result<(Directory, u64), CoreError> {
    let (mut d, _) = Directory::load_snapshot(path, &joined.snapshot)?;
    name_remote(&mut d, &joined.base)?;
    let c = &joined.credential;
    d.set_team_device(&c.account_id, &c.device_id, &joined.device_name)?;
    let members = d
        .directory_checksum()?
        .parts
        .iter()
        .find(|p| p.part == "members")
        .map_or(0, |p| p.rows);
    Ok((d, members))
}

/// Refused when a directory file is already at `path`: joining never overwrites one.
pub fn refuse_existing(path: &Path) -> Result<(), CommandError> {
    if path.exists() {
        return Err(
            CoreError::from(SnapshotProblem::FileExists(path.display().to_string())).into(),
        );
    }
    Ok(())
}

/// A failed join in words for the admin, with a detail code the window translates.
fn join_failed(e: CallError) -> CommandError {
    let (code, detail, hint) = match &e {
        CallError::Refused { status: 401, .. } => (
            ErrorCode::InvalidCredentials,
            "code_refused",
            "The code may be mistyped, used already or expired, or the password wrong: the \
             gateway does not say which.",
        ),
        CallError::Retry(m) if m.starts_with("The gateway could not be reached") => (
            ErrorCode::Internal,
            "unreachable",
            "Check the gateway's address and this computer's network.",
        ),
        CallError::Retry(_) => (
            ErrorCode::TooManyAttempts,
            "rate_limited",
            "Too many tries from this computer: wait a few minutes before trying again.",
        ),
        _ => return call_failed(e),
    };
    let mut error = CommandError::new(code, e.message());
    error.details = vec![ErrorDetail::field("code", detail, hint)];
    error
}

/// Member `id` as the window names them.
fn member_ref(d: &Directory, id: MemberId) -> Result<MemberRef, CoreError> {
    let details = d.member_details(id)?;
    Ok(MemberRef {
        id,
        name: details.name,
        username: details.username,
    })
}

/// The gateway account of `member`; refused while the gateway has none for them.
fn account_of(d: &Directory, member: &MemberRef) -> Result<String, CoreError> {
    let username = member.username.as_deref().unwrap_or(&member.name);
    d.gateway_account_of(member.id)?.ok_or_else(|| {
        CoreError::Conflict(format!(
            "The gateway has no account for {username} yet: send it the directory's accounts \
             first (the window does so in the background, the command line with `orgdesk sync`)."
        ))
    })
}

fn not_an_admin(member: &MemberRef) -> CoreError {
    CoreError::Forbidden(format!(
        "{} holds no admin role: only an admin's computer joins the team.",
        member.name
    ))
}

fn device_client(base: &str, credential: &DeviceCredential) -> GatewayClient {
    GatewayClient::new(Endpoint {
        base: base.to_owned(),
        token: credential.device_token.clone(),
    })
}

/// Keeps this computer's device credential for the gateway at `base` in the system keyring
/// (nowhere else); a credential kept before for that address is replaced.
async fn keep_credential(base: &str, token: &str) -> Result<(), CommandError> {
    keyring_forget_secret(Secret::DeviceToken, base).await;
    keyring_store_secret(Secret::DeviceToken, base, token)
        .await
        .map_err(|why| {
            CommandError::new(
                ErrorCode::Internal,
                format!(
                    "This computer's credential could not be saved in the system keyring \
                     ({why}). Orgdesk keeps it only there: revoke the new device from another \
                     computer of the team and try again once the keyring works."
                ),
            )
        })
}

/// This computer's host name, for the device list.
pub fn host_name() -> String {
    ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Orgdesk desktop".to_owned())
}
