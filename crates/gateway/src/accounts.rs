//! Members' accounts on the desktop's API: the account state the desktop pushes, and password
//! resets (a link, by mail, by text message or handed over by the admin). Also the background
//! work that goes with them: sending reset mail and texts from the shared outbox, and reporting
//! invitation links that expired unused.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use orgdesk_protocol::{
    AccountState, Channel, CreatePasswordReset, MirrorAccounts, MirroredAccount, MirroredAccounts,
    PasswordResetCreated, RefuseAccount, SetAccountState, MAX_MIRRORED_ACCOUNTS,
};

use crate::api::{allow_recipient, bad_json, check_recipient, check_text, idempotency_key, Org};
use crate::error::{GatewayError, Result};
use crate::mail::{DeliveryError, Mailer};
use crate::sms::SmsSender;
use crate::store::{
    account_state_str, MirrorItem, NewPasswordReset, RefuseOutcome, ResetOutboxItem, ResetOutcome,
};
use crate::{secrets, AppState, Shared};

/// How many expired links one sweep transaction reports at most.
const SWEEP_BATCH: u32 = 500;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        // One parameter name at this position: the router allows no other.
        .route("/api/v1/accounts/{account}/state", put(set_account_state))
        .route("/api/v1/accounts/mirror", post(mirror_accounts))
        .route("/api/v1/accounts/{account}/refusal", post(refuse_account))
        .route("/api/v1/password-resets", post(create_password_reset))
}

impl AppState {
    pub(crate) fn reset_link(&self, token: &str) -> String {
        format!("{}/r/{token}", self.public_url)
    }
}

/// Usernames are unique per organization without regard to case.
pub(crate) fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

async fn set_account_state(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(username): Path<String>,
    body: std::result::Result<Json<SetAccountState>, JsonRejection>,
) -> Result<StatusCode> {
    let Json(req) = body.map_err(bad_json)?;
    let key = username_key(&username);
    if key.is_empty() || key.chars().count() > 64 {
        return Err(GatewayError::UnknownAccount);
    }
    if state
        .store
        .set_account_state(&org_id, &key, req.state, state.clock.now())
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
    if !crate::pages::username_ok(&a.username) {
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
        password_hash: a.password_hash,
        state: a.state,
        name: a.name.trim().to_owned(),
        email: a.email.map(|e| e.trim().to_owned()),
        mobile: a.mobile.map(|m| m.trim().to_owned()),
    })
}

/// `POST /api/v1/accounts/mirror`: the directory's members, so that nobody registers or
/// joins under a username the directory uses, and so that its members can sign in. Every
/// item is checked before anything is written; then one transaction.
async fn mirror_accounts(
    State(state): State<Shared>,
    Org(org_id): Org,
    body: std::result::Result<Json<MirrorAccounts>, JsonRejection>,
) -> Result<Json<MirroredAccounts>> {
    let Json(req) = body.map_err(bad_json)?;
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
        .mirror_accounts(&org_id, items, state.clock.now())
        .await?;
    Ok(Json(MirroredAccounts { account_ids }))
}

/// `POST /api/v1/accounts/{account_id}/refusal`: the directory would not take an account
/// made here. A registered account is removed and keeps the reason; one the directory
/// mirrors is left as it is.
async fn refuse_account(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(account_id): Path<String>,
    body: std::result::Result<Json<RefuseAccount>, JsonRejection>,
) -> Result<StatusCode> {
    let Json(req) = body.map_err(bad_json)?;
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
    if account_id.is_empty() || account_id.chars().count() > 64 {
        return Err(GatewayError::UnknownAccount);
    }
    match state
        .store
        .refuse_account(&org_id, &account_id, reason, state.clock.now())
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
    let secs = requested.unwrap_or(tokens.password_reset_lifetime_secs);
    if !(60..=tokens.max_password_reset_lifetime_secs).contains(&secs) {
        return Err(GatewayError::InvalidRequest(format!(
            "expires_in_secs must be between 60 and {}",
            tokens.max_password_reset_lifetime_secs
        )));
    }
    i64::try_from(secs).map_err(|_| GatewayError::InvalidRequest("expires_in_secs".into()))
}

fn not_enabled(s: AccountState) -> GatewayError {
    GatewayError::AccountNotEnabled(account_state_str(s))
}

async fn create_password_reset(
    State(state): State<Shared>,
    Org(org_id): Org,
    headers: HeaderMap,
    body: std::result::Result<Json<CreatePasswordReset>, JsonRejection>,
) -> Result<Response> {
    let key = idempotency_key(&headers)?;
    let Json(req) = body.map_err(bad_json)?;
    let now = state.clock.now();
    let canonical = serde_json::to_vec(&req).map_err(|e| GatewayError::Internal(e.to_string()))?;
    let request_sha256 = secrets::sha256(&canonical);

    // A retry gets the first answer before anything else counts it.
    if let Some(seen) = state
        .store
        .seen_reset_key(&org_id, &key, request_sha256)
        .await?
    {
        return answer(&state, seen, None);
    }
    let username_key = username_key(&req.username);
    if username_key.is_empty() {
        return Err(GatewayError::InvalidRequest("username is required".into()));
    }
    check_text("username", &req.username, true)?;
    check_recipient(req.channel, &req.recipient)?;
    check_text("organization_name", &req.organization_name, true)?;
    if req.channel == Channel::Sms && state.config.sms.is_none() {
        return Err(GatewayError::ChannelUnavailable(
            "SMS delivery is not configured on this gateway".into(),
        ));
    }
    let locale = match req.locale.as_deref() {
        None => crate::i18n::Lang::En,
        Some(l) => crate::i18n::Lang::parse(l)
            .ok_or_else(|| GatewayError::InvalidRequest("locale must be en or zh-CN".into()))?,
    };
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
    if req.channel != Channel::Link && !allow_recipient(&state, &org_id, &req.recipient, now) {
        return Err(GatewayError::RateLimited);
    }

    let (token, token_text) = secrets::new_token();
    let reset_id = secrets::new_id("rst");
    let expires_at = now + lifetime_secs;
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
                token_hash: state.pepper.token_hash(&token),
                sealed_token: state.pepper.seal(&token),
                expires_at,
                enqueue: req.channel != Channel::Link,
            },
            now,
        )
        .await?;
    if outcome == ResetOutcome::Created {
        state.outbox_bell.notify_one();
    }
    answer(&state, outcome, Some((reset_id, token_text, expires_at)))
}

fn answer(
    state: &Shared,
    outcome: ResetOutcome,
    created: Option<(String, String, i64)>,
) -> Result<Response> {
    match (outcome, created) {
        (ResetOutcome::Created, Some((reset_id, token_text, expires_at))) => {
            let body = PasswordResetCreated {
                reset_id,
                link: state.reset_link(&token_text),
                expires_at,
            };
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        (
            ResetOutcome::Replayed {
                reset_id,
                sealed_token,
                expires_at,
            },
            _,
        ) => {
            let token = state.pepper.open(&sealed_token).ok_or_else(|| {
                GatewayError::Internal("a stored answer cannot be opened with this pepper".into())
            })?;
            let body = PasswordResetCreated {
                reset_id,
                link: state.reset_link(&secrets::encode(&token)),
                expires_at,
            };
            let mut response = (StatusCode::CREATED, Json(body)).into_response();
            response
                .headers_mut()
                .insert("Idempotent-Replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        (ResetOutcome::KeyReused, _) => Err(GatewayError::IdempotencyKeyReused),
        (ResetOutcome::UnknownAccount, _) => Err(GatewayError::UnknownAccount),
        (ResetOutcome::AccountNotEnabled(s), _) => Err(not_enabled(s)),
        (ResetOutcome::NoPassword, _) => Err(no_password()),
        (ResetOutcome::Created, None) => Err(GatewayError::Internal(
            "a created answer without its reset".into(),
        )),
    }
}

/// Sends the next reset message that is due, if any; `true` when there was one (so the
/// worker looks again at once).
pub(crate) async fn deliver_due_reset(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
) -> bool {
    match state
        .store
        .claim_due_reset_message(state.clock.now(), crate::outbox::lease_secs(state), owner)
        .await
    {
        Ok(Some(item)) => {
            deliver(state, owner, mailer, sms, item).await;
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::error!(error = %e, "outbox: cannot read due reset messages");
            false
        }
    }
}

async fn deliver(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: ResetOutboxItem,
) {
    use crate::outbox::{record, LeaseKeeper};
    if item.resumed {
        tracing::warn!(reset = %item.reset.id, "outbox: resuming a send whose outcome was never recorded");
    }
    let _lease = LeaseKeeper::start(state, owner, item.id);
    let result = send(state, mailer, sms, &item).await;
    let now = state.clock.now();
    let attempts = item.attempts + 1;
    let recorded = match result {
        Ok(message_id) => {
            tracing::info!(reset = %item.reset.id, %message_id, "password reset delivered");
            record(state, "reset sent", || {
                state.store.reset_message_sent(item.id, &message_id, now)
            })
            .await
        }
        Err(DeliveryError::Transient(reason)) if attempts < state.config.delivery.max_attempts => {
            let d = &state.config.delivery;
            let wait = crate::outbox::backoff(d.retry_initial_secs, d.retry_max_secs, attempts);
            tracing::warn!(reset = %item.reset.id, attempts, wait, %reason, "reset delivery failed; will retry");
            let at = now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
            record(state, "reset retry", || {
                state
                    .store
                    .reset_message_failed(item.id, &reason, Some(at), now)
            })
            .await
        }
        Err(DeliveryError::Transient(reason) | DeliveryError::Permanent(reason)) => {
            tracing::warn!(reset = %item.reset.id, attempts, %reason, "reset delivery failed; giving up");
            record(state, "reset failed", || {
                state
                    .store
                    .reset_message_failed(item.id, &reason, None, now)
            })
            .await
        }
    };
    if recorded {
        state.ring_events();
    }
}

async fn send(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &ResetOutboxItem,
) -> std::result::Result<String, DeliveryError> {
    let token = state.pepper.open(&item.sealed_token).ok_or_else(|| {
        DeliveryError::Permanent(
            "the stored link cannot be opened with this server's pepper".into(),
        )
    })?;
    if item.expires_at <= state.clock.now() {
        return Err(DeliveryError::Permanent(
            "the link expired before the message could be delivered".into(),
        ));
    }
    let link = state.reset_link(&secrets::encode(&token));
    match item.reset.channel {
        Channel::Email => {
            let (message, message_id) = crate::mail_reset::compose_reset(
                &state.templates,
                state.config.mail.from_address(),
                &item.reset,
                item.id,
                &link,
                item.expires_at,
            )?;
            // A provider's own id (Postmark's) is what it reports; SMTP keeps our Message-ID.
            let provider_id = mailer.send_with_id(message).await?;
            Ok(provider_id.unwrap_or(message_id))
        }
        Channel::Sms => match sms {
            Some(sender) => {
                let text = crate::sms::reset_text(&item.reset, &link, item.expires_at);
                sender.send(&item.reset.recipient, &text).await
            }
            None => Err(DeliveryError::Permanent(
                "SMS delivery is not configured on this gateway".into(),
            )),
        },
        Channel::Link => Err(DeliveryError::Permanent("link resets are not sent".into())),
    }
}

/// Reports pending invitations whose link expired (once per link). Runs from the outbox
/// worker, so it stops with it (as does the pruning of stale rows, in `retention`).
pub(crate) async fn sweep(state: &Shared) {
    let now = state.clock.now();
    loop {
        match state
            .store
            .report_expired_invitations(now, SWEEP_BATCH)
            .await
        {
            Ok(0) => break,
            Ok(n) => {
                state.ring_events();
                if n < SWEEP_BATCH {
                    break;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot report expired invitations");
                break;
            }
        }
    }
}
