//! The desktop's API (`/api/v1`): JSON in and out, a bearer token that names the organization
//! or one of its devices ([`auth`]). This file holds the shared checks, invitations and the
//! event feed; joining is in [`join`], accounts and password resets in [`accounts`], team
//! mode's devices and enrollment in [`team`], its change log in [`changes`], and the
//! long-poll both feeds share in [`poll`]. The routes are listed in `routes.rs`.

pub(crate) mod accounts;
mod auth;
pub(crate) mod changes;
pub(crate) mod join;
mod poll;
pub(crate) mod snapshot;
pub(crate) mod team;

pub(crate) use auth::{Caller, Org};

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgdesk_protocol::{
    AckEvents, Channel, CreateInvitation, EventsPage, InvitationCreated, IDEMPOTENCY_KEY_HEADER,
    MAX_EVENTS_LIMIT,
};
use serde::de::DeserializeOwned;

use crate::error::{GatewayError, Result};
use crate::secrets;
use crate::store::{
    CreateOutcome, Invitation, InvitationResend, InvitationState, KeyedRequest, NewInvitation,
    NewLink, ReplayedLink, ORG_TOKEN_READER,
};
use crate::Shared;
use poll::FeedQuery;

/// A request's JSON body; one that does not parse is refused as an invalid request.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = GatewayError;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(body)) => Ok(Self(body)),
            Err(e) => Err(GatewayError::InvalidRequest(format!(
                "the body is not a valid request: {}",
                e.body_text()
            ))),
        }
    }
}

/// The request's `Idempotency-Key` header: required, at most 255 characters.
pub(crate) struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = GatewayError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        let key = parts
            .headers
            .get(IDEMPOTENCY_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(GatewayError::IdempotencyKeyRequired)?;
        if key.len() > 255 {
            return Err(GatewayError::InvalidRequest(
                "Idempotency-Key is longer than 255 characters".into(),
            ));
        }
        Ok(Self(key.to_owned()))
    }
}

/// Names and labels: present where required, bounded, and free of control characters (which
/// have no business in a name and are a classic header-injection vector in mail) and of
/// bidirectional formatting characters (which make a name read as another).
pub(crate) fn check_text(field: &str, value: &str, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(GatewayError::InvalidRequest(format!("{field} is required")));
    }
    if value.chars().count() > 200 {
        return Err(GatewayError::InvalidRequest(format!(
            "{field} is longer than 200 characters"
        )));
    }
    if value.chars().any(crate::render::forbidden_in_text) {
        return Err(GatewayError::InvalidRequest(format!(
            "{field} contains control or bidirectional formatting characters"
        )));
    }
    Ok(())
}

fn check_recipient(channel: Channel, recipient: &str) -> Result<()> {
    match channel {
        Channel::Email => orgdesk_rules::email::is_valid(recipient)
            .then_some(())
            .ok_or_else(|| {
                GatewayError::InvalidRequest("recipient is not an email address".into())
            }),
        // The desktop sends the number as its rule wrote it: valid, and already in E.164.
        Channel::Sms => {
            let ok = orgdesk_rules::Mobile::parse_international(recipient)
                .is_ok_and(|m| m.as_str() == recipient);
            if ok {
                Ok(())
            } else {
                Err(GatewayError::InvalidRequest(
                    "recipient is not a valid mobile number in E.164 (+ and the country code, then the number)".into(),
                ))
            }
        }
        Channel::Link => check_text("recipient", recipient, false),
    }
}

/// Counts a message to `recipient` by `channel` against the per-recipient limit (keyed
/// case-insensitively within the organization); refused once the limit is reached. A link
/// handed over by hand sends nothing and is not counted.
pub(crate) fn count_message(
    state: &Shared,
    org_id: &str,
    (channel, recipient): (Channel, &str),
    now: i64,
) -> Result<()> {
    let key = format!("{org_id}\n{}", recipient.trim().to_lowercase());
    if channel != Channel::Link && !state.recipient_limiter.allow(&key, now) {
        return Err(GatewayError::RateLimited);
    }
    Ok(())
}

/// A link's lifetime in seconds: the requested one (else `default`), from a minute to `max`.
pub(crate) fn lifetime_within(requested: Option<u64>, default: u64, max: u64) -> Result<i64> {
    let secs = requested.unwrap_or(default);
    if !(60..=max).contains(&secs) {
        return Err(GatewayError::InvalidRequest(format!(
            "expires_in_secs must be between 60 and {max}"
        )));
    }
    i64::try_from(secs).map_err(|_| GatewayError::InvalidRequest("expires_in_secs".into()))
}

fn lifetime(state: &Shared, requested: Option<u64>) -> Result<i64> {
    let tokens = &state.config.tokens;
    let max = tokens.max_invitation_lifetime_secs;
    lifetime_within(requested, tokens.invitation_lifetime_secs, max)
}

/// The digest of a request's JSON: it tells a genuine retry from a different request
/// reusing the idempotency key.
pub(crate) fn request_digest(req: &impl serde::Serialize) -> Result<[u8; 32]> {
    let canonical = serde_json::to_vec(req).map_err(|e| GatewayError::Internal(e.to_string()))?;
    Ok(secrets::sha256(&canonical))
}

/// Refuses text messages when this gateway sends none.
fn check_channel(state: &Shared, channel: Channel) -> Result<()> {
    if channel == Channel::Sms && state.config.sms.is_none() {
        return Err(GatewayError::ChannelUnavailable(
            "SMS delivery is not configured on this gateway".into(),
        ));
    }
    Ok(())
}

/// The message's language: English unless the request names `en` or `zh-CN`.
fn locale(requested: Option<&str>) -> Result<crate::i18n::Lang> {
    match requested {
        None => Ok(crate::i18n::Lang::En),
        Some(l) => crate::i18n::Lang::parse(l)
            .ok_or_else(|| GatewayError::InvalidRequest("locale must be en or zh-CN".into())),
    }
}

/// Checks how a create request asks for its link to be delivered (invitations and password
/// resets alike) and answers the message's language. The first problem is reported, in this
/// order: the recipient for the channel; the names and labels the message shows (`labels`:
/// field, value, required); whether this gateway sends by the channel; the language.
pub(crate) fn check_delivery(
    state: &Shared,
    (channel, recipient): (Channel, &str),
    labels: &[(&str, &str, bool)],
    locale_requested: Option<&str>,
) -> Result<crate::i18n::Lang> {
    check_recipient(channel, recipient)?;
    for &(field, value, required) in labels {
        check_text(field, value, required)?;
    }
    check_channel(state, channel)?;
    locale(locale_requested)
}

/// A new link's token as links carry it, and the link the store keeps: the token hashed
/// under the pepper and sealed (to replay the answer), open until `expires_at`, queued for
/// sending unless it goes by `channel` `link`.
pub(crate) fn new_link(state: &Shared, expires_at: i64, channel: Channel) -> (String, NewLink) {
    let (token, text) = secrets::new_token();
    let link = NewLink {
        token_hash: state.pepper.token_hash(&token),
        sealed_token: state.pepper.seal(&token),
        expires_at,
        enqueue: channel != Channel::Link,
    };
    (text, link)
}

/// What identifies a create under an idempotency key: the organization, the key and the
/// digest of the request (`req`), to tell a retry from a reuse of the key.
pub(crate) fn keyed_request<'a>(
    org_id: &'a str,
    key: &'a str,
    req: &impl serde::Serialize,
) -> Result<KeyedRequest<'a>> {
    Ok(KeyedRequest {
        org_id,
        key,
        request_sha256: request_digest(req)?,
    })
}

/// The token of a link a create answers with: made now, or sealed in the first answer
/// that is replayed.
pub(crate) enum LinkToken {
    New(String),
    Sealed(Vec<u8>),
}

/// A link made under an idempotency key, as its answer names it: the id of the invitation or
/// reset it opens, its token and its expiry.
pub(crate) struct MadeLink {
    pub(crate) id: String,
    pub(crate) token: LinkToken,
    pub(crate) expires_at: i64,
}

impl MadeLink {
    /// The link a create has just made (`created`: its id, token and expiry); the create of
    /// a `what` always has one.
    pub(crate) fn created(created: Option<(String, String, i64)>, what: &str) -> Result<Self> {
        let (id, text, expires_at) = created.ok_or_else(|| {
            GatewayError::Internal(format!("a created answer without its {what}"))
        })?;
        Ok(Self {
            id,
            token: LinkToken::New(text),
            expires_at,
        })
    }

    /// The link of the first answer, replayed.
    pub(crate) fn replayed(link: ReplayedLink) -> Self {
        Self {
            id: link.id,
            token: LinkToken::Sealed(link.sealed_token),
            expires_at: link.expires_at,
        }
    }
}

/// `201 Created` for a link made under an idempotency key: `body` gets the link (`link` makes
/// it from the token); a replayed answer is marked so.
pub(crate) fn link_answer<B: serde::Serialize>(
    state: &Shared,
    token: LinkToken,
    link: impl FnOnce(&str) -> String,
    body: impl FnOnce(String) -> B,
) -> Result<Response> {
    let (text, replayed) = match token {
        LinkToken::New(text) => (text, false),
        LinkToken::Sealed(sealed) => (reopen(state, &sealed)?, true),
    };
    Ok(created_answer(body(link(&text)), replayed))
}

pub(crate) async fn create_invitation(
    State(state): State<Shared>,
    Org(org_id): Org,
    IdempotencyKey(key): IdempotencyKey,
    JsonBody(req): JsonBody<CreateInvitation>,
) -> Result<Response> {
    let now = state.clock.now_secs();
    let keyed = keyed_request(&org_id, &key, &req)?;
    let request_sha256 = keyed.request_sha256;
    // A retry is answered from the first answer before anything else counts it: it sends
    // nothing, so no limit should refuse it.
    if let Some(seen) = state.store.seen_key(keyed).await? {
        return answer(&state, seen, None);
    }
    if !state.invitation_limiter.allow(&org_id, now) {
        return Err(GatewayError::RateLimited);
    }
    let labels = [
        ("invitee_name", req.invitee_name.as_str(), true),
        ("organization_name", req.organization_name.as_str(), true),
        ("inviter_name", req.inviter_name.as_str(), true),
        ("department_label", req.department_label.as_str(), false),
        ("position_label", req.position_label.as_str(), false),
    ];
    let recipient = (req.channel, req.recipient.as_str());
    let locale = check_delivery(&state, recipient, &labels, req.locale.as_deref())?;
    let lifetime_secs = lifetime(&state, req.expires_in_secs)?;
    count_message(&state, &org_id, recipient, now)?;

    let invitation = Invitation {
        id: secrets::new_id("inv"),
        org_id,
        channel: req.channel,
        recipient: req.recipient.trim().to_owned(),
        invitee_name: req.invitee_name.trim().to_owned(),
        organization_name: req.organization_name.trim().to_owned(),
        department_label: req.department_label.trim().to_owned(),
        position_label: req.position_label.trim().to_owned(),
        inviter_name: req.inviter_name.trim().to_owned(),
        locale: locale.code().to_owned(),
        locale_chosen: req.locale.is_some(),
        lifetime_secs,
        state: InvitationState::Pending,
        created_at: now,
    };
    let invitation_id = invitation.id.clone();
    let expires_at = now + lifetime_secs;
    let (token, link) = new_link(&state, expires_at, invitation.channel);
    let outcome = state
        .store
        .create_invitation(
            NewInvitation {
                invitation,
                idempotency_key: key,
                request_sha256,
                link,
            },
            now,
        )
        .await?;
    if outcome == CreateOutcome::Created {
        state.outbox_bell.notify_one();
    }
    answer(&state, outcome, Some((invitation_id, token, expires_at)))
}

/// `201 Created` with `body`, marked `Idempotent-Replayed` when it repeats the first answer
/// given to the same idempotency key.
pub(crate) fn created_answer(body: impl serde::Serialize, replayed: bool) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if replayed {
        response
            .headers_mut()
            .insert("Idempotent-Replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The link token a stored answer sealed, as links carry it.
pub(crate) fn reopen(state: &Shared, sealed_token: &[u8]) -> Result<String> {
    let token = state.pepper.open(sealed_token).ok_or_else(|| {
        GatewayError::Internal("a stored answer cannot be opened with this pepper".into())
    })?;
    Ok(secrets::encode(&token))
}

/// The HTTP answer to a create: the new invitation (`created` carries its id, link token and
/// expiry), or the first answer replayed, or the key-reuse error.
fn answer(
    state: &Shared,
    outcome: CreateOutcome,
    created: Option<(String, String, i64)>,
) -> Result<Response> {
    let made = match outcome {
        CreateOutcome::Created => MadeLink::created(created, "invitation")?,
        CreateOutcome::Replayed(link) => MadeLink::replayed(link),
        CreateOutcome::KeyReused => return Err(GatewayError::IdempotencyKeyReused),
    };
    let body = |link| InvitationCreated {
        invitation_id: made.id,
        link,
        expires_at: made.expires_at,
    };
    link_answer(state, made.token, |t| state.invitation_link(t), body)
}

pub(crate) async fn resend_invitation(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(id): Path<String>,
) -> Result<Json<InvitationCreated>> {
    let now = state.clock.now_secs();
    let invitation = state
        .store
        .invitation(&org_id, &id)
        .await?
        .ok_or(GatewayError::NotFound)?;
    count_message(
        &state,
        &org_id,
        (invitation.channel, &invitation.recipient),
        now,
    )?;
    let expires_at = now + invitation.lifetime_secs;
    let (token, link) = new_link(&state, expires_at, invitation.channel);
    state
        .store
        .resend_invitation(
            InvitationResend {
                org_id,
                id: id.clone(),
                link,
            },
            now,
        )
        .await?;
    state.outbox_bell.notify_one();
    Ok(Json(InvitationCreated {
        invitation_id: id,
        link: state.invitation_link(&token),
        expires_at,
    }))
}

pub(crate) async fn cancel_invitation(
    State(state): State<Shared>,
    Org(org_id): Org,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    state
        .store
        .cancel_invitation(&org_id, &id, state.clock.now_secs())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The event feed, long-polled (see [`poll`]).
pub(crate) async fn events(
    State(state): State<Shared>,
    caller: Caller,
    query: std::result::Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<EventsPage>> {
    let org_id = caller.org_id.as_str();
    let read = |after, limit| state.store.events_after(org_id, after, limit);
    let bell = &state.events_bell;
    let (events, next_cursor) =
        poll::feed_page(&state, &caller, query, bell, MAX_EVENTS_LIMIT, read, |e| {
            e.seq
        })
        .await?;
    Ok(Json(EventsPage {
        events,
        next_cursor,
    }))
}

/// Acknowledges the feed for the caller alone: a device's acknowledgement moves its own
/// cursor, the API token's the token's, and events are forgotten once every reader holding
/// them back has passed them (`EventStore::ack_events`).
pub(crate) async fn ack_events(
    State(state): State<Shared>,
    caller: Caller,
    JsonBody(ack): JsonBody<AckEvents>,
) -> Result<StatusCode> {
    let reader = match &caller.device {
        Some((device_id, _)) => device_id.as_str(),
        None => ORG_TOKEN_READER,
    };
    let now = state.clock.now_secs();
    state
        .store
        .ack_events(&caller.org_id, reader, ack.up_to, now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
