//! Who is calling the desktop's API: the bearer token names either an organization (its API
//! token, `org_….…`) or one of its devices (a device credential, `dev_….…`, team mode). Both
//! keep only the SHA-256 of their secret and compare it in constant time; a revoked device,
//! or one whose account is no longer enabled, is refused like a wrong token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::{GatewayError, Result};
use crate::secrets::{self, constant_time_eq};
use crate::Shared;

/// The prefix of device ids, which tells a device credential from an organization's token.
pub(crate) const DEVICE_PREFIX: &str = "dev";

/// How stale a device's `last_seen_at` may get before a request writes it again: one write
/// a minute at most, not one per request.
const SEEN_EVERY_SECS: i64 = 60;

/// The organization whose API token (or one of whose devices) authenticated the request.
pub(crate) struct Org(pub String);

/// The caller: the organization, and the device and its account when a device credential
/// authenticated the request (`None` for the organization's API token).
pub(crate) struct Caller {
    pub org_id: String,
    pub device: Option<(String, String)>,
}

impl Caller {
    /// The device and its account; the API token is refused, since what it asks for must
    /// name who made it.
    pub(crate) fn device(&self) -> Result<(&str, &str)> {
        self.device
            .as_ref()
            .map(|(device, account)| (device.as_str(), account.as_str()))
            .ok_or_else(|| GatewayError::Forbidden {
                code: "device_token_required",
                message: "this request needs a device token (team mode): every change names \
                          the admin and computer that made it; the organization's API token \
                          names nobody"
                    .into(),
            })
    }

    /// Refuses a device: only the organization's API token may ask this.
    pub(crate) fn api_token_only(&self) -> Result<()> {
        match self.device {
            None => Ok(()),
            Some(_) => Err(GatewayError::Forbidden {
                code: "api_token_required",
                message: "this request needs the organization's API token, not a device token"
                    .into(),
            }),
        }
    }

    /// Whether a device caller may still act (not revoked meanwhile, its account enabled);
    /// the API token always may.
    pub(crate) async fn still_allowed(&self, state: &Shared) -> Result<()> {
        match &self.device {
            None => Ok(()),
            Some((device_id, _)) => match state.store.device_auth(device_id).await? {
                Some(_) => Ok(()),
                None => Err(GatewayError::Unauthorized),
            },
        }
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = GatewayError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(GatewayError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(GatewayError::Unauthorized)?;
        let (id, presented) =
            secrets::parse_api_token(token.trim()).ok_or(GatewayError::Unauthorized)?;
        if id.starts_with(&format!("{DEVICE_PREFIX}_")) {
            return device_caller(state, id, presented).await;
        }
        let stored = state.store.api_token_hash(id).await?;
        // Compare even when the organization is unknown, so both cases take the same time.
        let expected = stored.unwrap_or([0u8; 32]);
        if stored.is_some() && constant_time_eq(&expected, &presented) {
            Ok(Self {
                org_id: id.to_owned(),
                device: None,
            })
        } else {
            Err(GatewayError::Unauthorized)
        }
    }
}

/// The caller a device credential names, if its secret matches and the device may act.
async fn device_caller(state: &Shared, device_id: &str, presented: [u8; 32]) -> Result<Caller> {
    let auth = state.store.device_auth(device_id).await?;
    let expected = auth.as_ref().map_or([0u8; 32], |a| a.token_sha256);
    let matches = constant_time_eq(&expected, &presented);
    let Some(auth) = auth.filter(|_| matches) else {
        return Err(GatewayError::Unauthorized);
    };
    let now = state.clock.now_secs();
    if auth
        .last_seen_at
        .is_none_or(|seen| seen <= now - SEEN_EVERY_SECS)
    {
        state.store.touch_device(device_id, now).await?;
    }
    Ok(Caller {
        org_id: auth.org_id,
        device: Some((device_id.to_owned(), auth.account_id)),
    })
}

impl FromRequestParts<Shared> for Org {
    type Rejection = GatewayError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Self(caller.org_id))
    }
}
