//! Team mode's devices and their enrollment: the computer holding the organization's API
//! token registers itself as a device, any device (or the API token) asks for a one-time code
//! for an account, and a new computer joins with the code, the account's username and its
//! password. Every device gets its own credential (`dev_<id>.<secret>`), shown once.

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::Json;
use orgdesk_protocol::{
    AccountState, CreateEnrollment, DeviceCredential, DeviceList, EnrollmentCreated, JoinTeam,
    RegisterDevice, MAX_DEVICE_NAME_LEN,
};

use super::auth::DEVICE_PREFIX;
use super::{Caller, JsonBody};
use crate::error::{GatewayError, Result};
use crate::pages::member::sign_in::first_match;
use crate::store::{username_key, NewDevice, NewEnrollment, TeamAccount};
use crate::{joining, limits, ring, secrets, PeerAddr, Shared};

/// Symbols in an enrollment code: 28 of the organization code's 32 (140 random bits),
/// written in groups of [`CODE_GROUP`].
const CODE_SYMBOLS: usize = 28;
const CODE_GROUP: usize = 4;

/// A device name: 1–100 characters, no control or bidirectional formatting characters.
fn check_device_name(name: &str) -> Result<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_DEVICE_NAME_LEN
        && !name.chars().any(crate::render::forbidden_in_text);
    if ok {
        Ok(name.to_owned())
    } else {
        Err(GatewayError::InvalidRequest(format!(
            "device_name must be 1 to {MAX_DEVICE_NAME_LEN} characters without control or \
             bidirectional formatting characters"
        )))
    }
}

/// The organization's account `account_id`, if it can hold devices: it exists, is enabled
/// and has a password.
async fn usable_account(state: &Shared, org_id: &str, account_id: &str) -> Result<()> {
    match state.store.team_account(org_id, account_id).await? {
        None => Err(GatewayError::UnknownAccount),
        Some(TeamAccount {
            state: AccountState::Disabled,
            ..
        }) => Err(GatewayError::AccountNotEnabled("disabled")),
        Some(TeamAccount {
            state: AccountState::Removed,
            ..
        }) => Err(GatewayError::AccountNotEnabled("removed")),
        Some(TeamAccount {
            has_password: false,
            ..
        }) => Err(GatewayError::Conflict {
            code: "account_reserved",
            message: "the account only reserves its username: it has no password to enroll \
                      a computer with"
                .into(),
        }),
        Some(_) => Ok(()),
    }
}

/// A new device of `account_id` and its credential.
fn new_device(org_id: &str, account_id: &str, name: String) -> (NewDevice, DeviceCredential) {
    let device_id = secrets::new_id(DEVICE_PREFIX);
    let (device_token, token_sha256) = secrets::new_api_token(&device_id);
    let credential = DeviceCredential {
        device_id: device_id.clone(),
        device_token,
        account_id: account_id.to_owned(),
        organization_id: org_id.to_owned(),
    };
    let device = NewDevice {
        id: device_id,
        org_id: org_id.to_owned(),
        account_id: account_id.to_owned(),
        name,
        token_sha256,
    };
    (device, credential)
}

/// `POST /api/v1/team/devices`: the computer holding the API token becomes a device.
pub(crate) async fn register_device(
    State(state): State<Shared>,
    caller: Caller,
    JsonBody(req): JsonBody<RegisterDevice>,
) -> Result<(StatusCode, Json<DeviceCredential>)> {
    caller.api_token_only()?;
    let name = check_device_name(&req.device_name)?;
    usable_account(&state, &caller.org_id, &req.account_id).await?;
    let (device, credential) = new_device(&caller.org_id, &req.account_id, name);
    state
        .store
        .add_device(device, state.clock.now_secs())
        .await?;
    Ok((StatusCode::CREATED, Json(credential)))
}

/// A new enrollment code, grouped for typing: `ABCD-EFGH-…`.
fn new_code() -> String {
    let symbols = joining::random_symbols::<CODE_SYMBOLS>();
    let groups: Vec<&str> = (0..CODE_SYMBOLS)
        .step_by(CODE_GROUP)
        .map(|at| &symbols[at..at + CODE_GROUP])
        .collect();
    groups.join("-")
}

/// What the store keeps of a code as typed (any case, with or without the dashes), or
/// `None` when it cannot be a code.
fn code_hash(typed: &str) -> Option<[u8; 32]> {
    joining::normalize_symbols(typed, CODE_SYMBOLS).map(|code| secrets::sha256(code.as_bytes()))
}

/// `POST /api/v1/team/enrollments`: a one-time code for an account (a newer one voids it).
pub(crate) async fn create_enrollment(
    State(state): State<Shared>,
    caller: Caller,
    JsonBody(req): JsonBody<CreateEnrollment>,
) -> Result<(StatusCode, Json<EnrollmentCreated>)> {
    usable_account(&state, &caller.org_id, &req.account_id).await?;
    let now = state.clock.now_secs();
    let lifetime = state.config.tokens.enrollment_lifetime_secs;
    let expires_at = now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
    let code = new_code();
    let code_sha256 = code_hash(&code)
        .ok_or_else(|| GatewayError::Internal("a new enrollment code does not read".into()))?;
    let new = NewEnrollment {
        org_id: caller.org_id,
        account_id: req.account_id,
        code_sha256,
        expires_at,
    };
    state.store.create_enrollment(new, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentCreated { code, expires_at }),
    ))
}

/// `POST /api/v1/team/join` (no bearer token): a new computer enrolls. A wrong code, a
/// username that is not the code's account and a wrong password are answered alike
/// (`unauthorized`, in the same time: a password is always checked, against the decoy when
/// there is nothing to check it against) and count against the client's address like wrong
/// organization codes.
pub(crate) async fn join(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    JsonBody(req): JsonBody<JoinTeam>,
) -> Result<(StatusCode, Json<DeviceCredential>)> {
    let name = check_device_name(&req.device_name)?;
    let now = state.clock.now_secs();
    let client = limits::client_key(peer.ip());
    if state.store.code_lockout(&client, now).await?.is_some() {
        return Err(GatewayError::RateLimited);
    }
    let hash = code_hash(&req.code);
    let candidate = match hash {
        Some(hash) => state.store.enrollment(hash, now).await?,
        None => None,
    };
    let candidate = candidate.filter(|c| c.username_key == username_key(&req.username));
    let hashes = candidate.iter().map(|c| c.password_hash.clone()).collect();
    let matched = first_match(req.password, hashes).await?.is_some();
    let (Some(candidate), Some(hash), true) = (candidate, hash, matched) else {
        return match state.store.record_code_failure(&client, now).await? {
            Some(_) => Err(GatewayError::RateLimited),
            None => Err(GatewayError::NotEnrolled),
        };
    };
    let (device, credential) = new_device(&candidate.org_id, &candidate.account_id, name);
    if state.store.enroll_device(hash, device, now).await? {
        Ok((StatusCode::CREATED, Json(credential)))
    } else {
        // Used by another computer, or voided, between the check and now.
        Err(GatewayError::NotEnrolled)
    }
}

/// `GET /api/v1/team/devices`: every device of the organization.
pub(crate) async fn list_devices(
    State(state): State<Shared>,
    caller: Caller,
) -> Result<Json<DeviceList>> {
    let devices = state.store.devices(&caller.org_id).await?;
    Ok(Json(DeviceList { devices }))
}

/// `POST /api/v1/team/devices/{id}/revoke`: the device's credential is refused from now on,
/// and its long-polls on this instance end at once.
pub(crate) async fn revoke_device(
    State(state): State<Shared>,
    caller: Caller,
    Path(device_id): Path<String>,
) -> Result<StatusCode> {
    let now = state.clock.now_secs();
    if !state
        .store
        .revoke_device(&caller.org_id, &device_id, now)
        .await?
    {
        return Err(GatewayError::Missing("no such device"));
    }
    ring(&state.devices_bell);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_in_any_case() {
        let code = new_code();
        assert_eq!(code.len(), CODE_SYMBOLS + CODE_SYMBOLS / CODE_GROUP - 1);
        assert_eq!(code.split('-').count(), CODE_SYMBOLS / CODE_GROUP);
        let hash = code_hash(&code).unwrap();
        assert_eq!(code_hash(&code.to_lowercase()), Some(hash));
        assert_eq!(code_hash(&code.replace('-', " ")), Some(hash));
        assert_eq!(code_hash("ABCD-EFGH"), None);
        assert_ne!(new_code(), code);
    }
}
