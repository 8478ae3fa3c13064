//! Accepting an invitation with an account the invitee already has on this gateway
//! (`/i/{token}/sign-in`): username and password instead of a new registration.
//!
//! The attempt is counted and locked out exactly like signing in on `/me` (per username and
//! per client address, in the store), unknown usernames are checked against the decoy hash,
//! and a disabled or removed account is refused. On success the link is consumed like a
//! registration, in one transaction with the `registered` event, which carries the existing
//! account's username and Argon2id hash:
//!
//! - an account in the invitation's own organization is used as it is (no row is made);
//! - an account found only in another organization on this gateway is copied into the
//!   invitation's organization (same username, same hash), refused when that username is
//!   already taken there (or held by a pending join request).

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use axum::Form;
use minijinja::context;
use orgdesk_protocol::AccountState;
use serde::Deserialize;

use super::{gone_meanwhile, usable, FormView};
use crate::error::GatewayError;
use crate::i18n::{fill, Lang, Texts};
use crate::pages::member::{check_sign_in, locked_message, member_message, Guess, Notice};
use crate::pages::{
    cookie, csrf_cookie, csrf_cookie_name, internal_error, message, pick_lang, refuse_post,
    with_cookie, LangQuery,
};
use crate::store::username_key;
use crate::store::{ConsumeOutcome, TokenLookup};
use crate::{PeerAddr, Shared};

fn render_accept(state: &Shared, lang: Lang, status: StatusCode, view: FormView<'_>) -> Response {
    let FormView {
        token,
        found,
        csrf_cookie,
        username,
        errors,
    } = view;
    let action = format!("/i/{token}/sign-in");
    let extra = context! {
        intro => fill(lang.t("accept_intro"), &[("organization", &found.invitation.organization_name)]),
        action => &action,
        csrf => state.pepper.csrf_token(csrf_cookie, &action),
        username => username,
        errors => errors,
        back_href => format!("/i/{token}?lang={}", lang.code()),
    };
    crate::pages::page(
        state,
        lang,
        status,
        "accept.html",
        &action,
        lang.t("accept_title"),
        extra,
    )
}

pub(crate) async fn accept_form(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}/sign-in");
    let (found, _) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    let (csrf, is_new) = csrf_cookie(&state, &headers);
    let response = render_accept(
        &state,
        lang,
        StatusCode::OK,
        FormView {
            token: &token,
            found: &found,
            csrf_cookie: &csrf,
            username: "",
            errors: &[],
        },
    );
    with_cookie(&state, response, &csrf, is_new)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AcceptFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) password: String,
}

pub(crate) async fn accept(
    State(state): State<Shared>,
    Path(token): Path<String>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<AcceptFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    let path = format!("/i/{token}/sign-in");
    if let Some(refused) = refuse_post(&state, lang, &path, &headers, peer, &f.csrf) {
        return refused;
    }
    let (found, hash) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    let request = Attempt {
        token: &token,
        path: &path,
        found: &found,
        token_hash: hash,
        headers: &headers,
        peer,
    };
    match try_accept(&state, lang, request, f).await {
        Ok(response) => response,
        Err(e) => internal_error(&state, lang, &path, &e),
    }
}

struct Attempt<'a> {
    token: &'a str,
    path: &'a str,
    found: &'a TokenLookup,
    token_hash: [u8; 32],
    headers: &'a HeaderMap,
    peer: SocketAddr,
}

async fn try_accept(
    state: &Shared,
    lang: Lang,
    a: Attempt<'_>,
    f: AcceptFields,
) -> Result<Response, GatewayError> {
    let cookie_value = cookie(a.headers, csrf_cookie_name(state)).unwrap_or_default();
    let typed = f.username.trim();
    let form = |status: StatusCode, errors: &[&str]| {
        render_accept(
            state,
            lang,
            status,
            FormView {
                token: a.token,
                found: a.found,
                csrf_cookie: &cookie_value,
                username: typed,
                errors,
            },
        )
    };
    let key = username_key(typed);
    let now = state.clock.now_secs();
    // The invitation's own organization first, then enabled accounts.
    let org_id = &a.found.invitation.org_id;
    let account = match check_sign_in(state, &key, a.peer.ip(), f.password, Some(org_id)).await? {
        Guess::Waiting(until) => {
            let message = locked_message(lang, until, now);
            return Ok(form(StatusCode::TOO_MANY_REQUESTS, &[&message]));
        }
        Guess::Wrong => {
            return Ok(form(
                StatusCode::UNPROCESSABLE_ENTITY,
                &[lang.t("err_sign_in")],
            ))
        }
        Guess::Right {
            account,
            matched,
            charged,
        } => {
            // The password was right, so this is no guess to count.
            state.store.forgive_sign_in(&matched, &charged).await?;
            account
        }
    };
    let disabled = || {
        member_message(
            state,
            lang,
            StatusCode::FORBIDDEN,
            a.path,
            Notice {
                kind: "disabled",
                title: lang.t("account_disabled_title"),
                body: lang.t("account_disabled_body"),
                link: None,
            },
        )
    };
    if account.state != AccountState::Enabled {
        return Ok(disabled());
    }
    let outcome = if &account.org_id == org_id {
        state
            .store
            .accept_with_account(
                a.token_hash,
                &account.username_key,
                &account.password_hash,
                now,
            )
            .await?
    } else {
        state
            .store
            .register(a.token_hash, &account.username, &account.password_hash, now)
            .await?
    };
    let org = &a.found.invitation.organization_name;
    Ok(match outcome {
        ConsumeOutcome::Done { .. } => {
            state.ring_events();
            let title = fill(lang.t("registered_title"), &[("organization", org)]);
            let body = fill(
                lang.t("accept_done_body"),
                &[("organization", org), ("username", &account.username)],
            );
            message(
                state,
                lang,
                StatusCode::OK,
                a.path,
                "registered",
                &title,
                &body,
            )
        }
        ConsumeOutcome::UsernameTaken => {
            let text = fill(
                lang.t("accept_username_taken"),
                &[("organization", org), ("username", &account.username)],
            );
            form(StatusCode::CONFLICT, &[&text])
        }
        ConsumeOutcome::AccountUnavailable => disabled(),
        // Someone else used, cancelled or replaced the link in the meantime: say which.
        ConsumeOutcome::NotUsable => gone_meanwhile(state, lang, a.token, a.path).await,
    })
}
