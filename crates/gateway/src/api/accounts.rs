//! Members' accounts on the desktop's API: the account state the desktop pushes, the account
//! mirror, refusals, and password resets (a link, by mail, by text message or handed over by
//! the admin). Reset messages are sent from the shared outbox (`outbox::resets`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use orgdesk_protocol::{
    AccountState, CreatePasswordReset, MirrorAccounts, MirroredAccount, MirroredAccounts,
    PasswordResetCreated, RefuseAccount, SetAccountState, MAX_MIRRORED_ACCOUNTS,
};

use crate::api::{
    check_delivery, check_text, count_message, keyed_request, lifetime_within, link_answer,
    new_link, IdempotencyKey, JsonBody, MadeLink, Org,
};
use crate::error::{GatewayError, Result};
use crate::store::{
    account_state_str, username_key, AccountStateChange, DirectoryMirror, DirectoryRefusal,
    MirrorItem, NewPasswordReset, RefuseOutcome, ResetOutcome,
};
use crate::{secrets, Shared};

/// An account the path names (by its username key or its id) must be one the gateway can
/// have: 1 to 64 characters. Any other is unknown.
fn account_in_path(name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > 64 {
        return Err(GatewayError::UnknownAccount);
    }
    Ok(())
}

pub(crate) async fn set_account_state(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(username): Path<String>,
    JsonBody(req): JsonBody<SetAccountState>,
) -> Result<StatusCode> {
    let key = username_key(&username);
    account_in_path(&key)?;
    if state
        .store
        .set_account_state(
            AccountStateChange {
                org_id,
                username_key: key,
                state: req.state,
            },
            state.clock.now_secs(),
        )
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(GatewayError::UnknownAccount)
    }
}

/// The longest refusal reason the directory may send.
const MAX_REASON_CHARS: usize = 500;

/// Checks one mirrored member like a registration: the register page's username rule, bounded
/// personal fields without control characters, an Argon2id hash within the protocol's bounds.
fn mirror_item(index: usize, a: MirroredAccount) -> Result<MirrorItem> {
    let field = |name: &str| format!("accounts[{index}].{name}");
    let invalid =
        |name: &str, why: &str| GatewayError::InvalidRequest(format!("{} {why}", field(name)));
    if let Some(id) = &a.account_id {
        if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
            return Err(invalid("account_id", "is not an account id"));
        }
    }
    if !orgdesk_rules::username::is_valid(&a.username) {
        return Err(invalid(
            "username",
            "must be 3-32 letters, digits, '.', '_' or '-'",
        ));
    }
    check_text(&field("name"), &a.name, true)?;
    for (name, value, max) in [("email", &a.email, 254), ("mobile", &a.mobile, 32)] {
        if let Some(v) = value {
            if v.chars().count() > max {
                return Err(invalid(name, &format!("is longer than {max} characters")));
            }
            if v.chars().any(char::is_control) {
                return Err(invalid(name, "contains control characters"));
            }
        }
    }
    if let Some(hash) = &a.password_hash {
        orgdesk_rules::password::check_password_hash(hash)
            .map_err(|problem| invalid("password_hash", &format!("is refused: {problem}")))?;
    }
    Ok(MirrorItem {
        username_key: username_key(&a.username),
        account_id: a.account_id,
        username: a.username,
        state: a.state,
        name: a.name.trim().to_owned(),
        email: a.email.map(|e| e.trim().to_owned()),
        mobile: a.mobile.map(|m| m.trim().to_owned()),
        must_change_password: a.must_change_password && a.password_hash.is_some(),
        password_hash: a.password_hash,
    })
}

/// `POST /api/v1/accounts/mirror`: the directory's members, so that nobody registers or
/// joins under a username the directory uses, and so that its members can sign in. Every
/// item is checked before anything is written; then one transaction.
pub(crate) async fn mirror_accounts(
    State(state): State<Shared>,
    Org(org_id): Org,
    JsonBody(req): JsonBody<MirrorAccounts>,
) -> Result<Json<MirroredAccounts>> {
    if req.accounts.len() > MAX_MIRRORED_ACCOUNTS {
        return Err(GatewayError::InvalidRequest(format!(
            "at most {MAX_MIRRORED_ACCOUNTS} accounts per request"
        )));
    }
    let mut items = Vec::with_capacity(req.accounts.len());
    let mut keys = std::collections::HashMap::new();
    let mut ids = std::collections::HashMap::new();
    for (index, account) in req.accounts.into_iter().enumerate() {
        let item = mirror_item(index, account)?;
        if let Some(first) = keys.insert(item.username_key.clone(), index) {
            return Err(GatewayError::InvalidRequest(format!(
                "accounts[{index}].username repeats accounts[{first}].username"
            )));
        }
        if let Some(id) = &item.account_id {
            if let Some(first) = ids.insert(id.clone(), index) {
                return Err(GatewayError::InvalidRequest(format!(
                    "accounts[{index}].account_id repeats accounts[{first}].account_id"
                )));
            }
        }
        items.push(item);
    }
    let account_ids = state
        .store
        .mirror_accounts(DirectoryMirror { org_id, items }, state.clock.now_secs())
        .await?;
    // A waiting join request the mirror approved may have queued a message to the person.
    state.outbox_bell.notify_one();
    Ok(Json(MirroredAccounts { account_ids }))
}

/// `POST /api/v1/accounts/{account_id}/refusal`: the directory would not take an account
/// made here. A registered account is removed and keeps the reason; one the directory
/// mirrors is left as it is.
pub(crate) async fn refuse_account(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(account_id): Path<String>,
    JsonBody(req): JsonBody<RefuseAccount>,
) -> Result<StatusCode> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(GatewayError::InvalidRequest("reason is required".into()));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(GatewayError::InvalidRequest(format!(
            "reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    if reason.chars().any(char::is_control) {
        return Err(GatewayError::InvalidRequest(
            "reason contains control characters".into(),
        ));
    }
    account_in_path(&account_id)?;
    match state
        .store
        .refuse_account(
            DirectoryRefusal {
                org_id,
                account_id,
                reason: reason.to_owned(),
            },
            state.clock.now_secs(),
        )
        .await?
    {
        RefuseOutcome::Refused | RefuseOutcome::DirectoryOwned => Ok(StatusCode::NO_CONTENT),
        RefuseOutcome::Unknown => Err(GatewayError::UnknownAccount),
    }
}

/// A reset for an account that only reserves its username.
fn no_password() -> GatewayError {
    GatewayError::Conflict {
        code: "account_reserved",
        message: "the account has no password: it only reserves its username".into(),
    }
}

fn reset_lifetime(state: &Shared, requested: Option<u64>) -> Result<i64> {
    let tokens = &state.config.tokens;
    let max = tokens.max_password_reset_lifetime_secs;
    lifetime_within(requested, tokens.password_reset_lifetime_secs, max)
}

fn not_enabled(s: AccountState) -> GatewayError {
    GatewayError::AccountNotEnabled(account_state_str(s))
}

pub(crate) async fn create_password_reset(
    State(state): State<Shared>,
    Org(org_id): Org,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(req): JsonBody<CreatePasswordReset>,
) -> Result<Response> {
    let now = state.clock.now_secs();
    let keyed = keyed_request(&org_id, &key, &req)?;
    let request_sha256 = keyed.request_sha256;
    // A retry gets the first answer before anything else counts it.
    if let Some(seen) = state.store.seen_reset_key(keyed).await? {
        return answer(&state, seen, None);
    }
    let username_key = username_key(&req.username);
    if username_key.is_empty() {
        return Err(GatewayError::InvalidRequest("username is required".into()));
    }
    check_text("username", &req.username, true)?;
    let labels = [("organization_name", req.organization_name.as_str(), true)];
    let recipient = (req.channel, req.recipient.as_str());
    let locale = check_delivery(&state, recipient, &labels, req.locale.as_deref())?;
    let lifetime_secs = reset_lifetime(&state, req.expires_in_secs)?;
    // Refuse an unknown or disabled account before a message is counted against the
    // recipient; the store checks again in its transaction.
    let account = state
        .store
        .sign_in_candidates(&username_key)
        .await?
        .into_iter()
        .find(|c| c.org_id == org_id)
        .ok_or(GatewayError::UnknownAccount)?;
    if account.state != AccountState::Enabled {
        return Err(not_enabled(account.state));
    }
    if account.password_hash.is_empty() {
        return Err(no_password());
    }
    count_message(&state, &org_id, recipient, now)?;

    let reset_id = secrets::new_id("rst");
    let expires_at = now + lifetime_secs;
    let (token, link) = new_link(&state, expires_at, req.channel);
    let outcome = state
        .store
        .create_password_reset(
            NewPasswordReset {
                id: reset_id.clone(),
                org_id,
                username_key,
                channel: req.channel,
                recipient: req.recipient.trim().to_owned(),
                organization_name: req.organization_name.trim().to_owned(),
                locale: locale.code().to_owned(),
                idempotency_key: key,
                request_sha256,
                link,
            },
            now,
        )
        .await?;
    if outcome == ResetOutcome::Created {
        state.outbox_bell.notify_one();
    }
    answer(&state, outcome, Some((reset_id, token, expires_at)))
}

fn answer(
    state: &Shared,
    outcome: ResetOutcome,
    created: Option<(String, String, i64)>,
) -> Result<Response> {
    let made = match outcome {
        ResetOutcome::Created => MadeLink::created(created, "reset")?,
        ResetOutcome::Replayed(link) => MadeLink::replayed(link),
        ResetOutcome::KeyReused => return Err(GatewayError::IdempotencyKeyReused),
        ResetOutcome::UnknownAccount => return Err(GatewayError::UnknownAccount),
        ResetOutcome::AccountNotEnabled(s) => return Err(not_enabled(s)),
        ResetOutcome::NoPassword => return Err(no_password()),
    };
    let body = |link| PasswordResetCreated {
        reset_id: made.id,
        link,
        expires_at: made.expires_at,
    };
    link_answer(state, made.token, |t| state.reset_link(t), body)
}
