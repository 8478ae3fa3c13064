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

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use orgdesk_protocol::AccountState;

use super::{
    gone_meanwhile, link_form, link_post, registered, render_link_form, FormView, LinkForm,
};
use crate::error::GatewayError;
use crate::i18n::{fill, Lang, Texts};
use crate::pages::form::LinkFormPost;
use crate::pages::member::{account_disabled, check_sign_in};
use crate::pages::{form, internal_error, LinkVisit, PageResult};
use crate::store::username_key;
use crate::store::{ConsumeOutcome, InviteeAccount, Registration, TokenLookup};
use crate::Shared;

const ACCEPT: LinkForm = LinkForm {
    suffix: "sign-in",
    template: "accept.html",
    intro: "accept_intro",
    title: "accept_title",
};

pub(crate) async fn accept_form(State(state): State<Shared>, link: LinkVisit) -> PageResult {
    link_form(state, link, &ACCEPT).await
}

form::fields! {
    AcceptFields { username, password }
}

pub(crate) async fn accept(form: LinkFormPost<AcceptFields>) -> PageResult {
    let LinkFormPost { state, token, post } = form;
    let path = ACCEPT.action(&token);
    let post = link_post(&state, &token, &path, post).await?;
    let lang = post.lang;
    let request = Attempt {
        token: &token,
        path: &path,
        found: &post.found,
        token_hash: post.hash,
        headers: &post.headers,
        peer: post.peer,
    };
    Ok(match try_accept(&state, lang, request, post.fields).await {
        Ok(response) => response,
        Err(e) => internal_error(&state, lang, &path, &e),
    })
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
    let cookie_value = form::posted_cookie(state, a.headers);
    let typed = f.username.trim();
    let form = |status: StatusCode, errors: &[&str]| {
        let view = FormView {
            token: a.token,
            found: a.found,
            csrf_cookie: &cookie_value,
            username: typed,
            errors,
        };
        render_link_form(state, lang, status, &ACCEPT, view)
    };
    let key = username_key(typed);
    let now = state.clock.now_secs();
    // The invitation's own organization first, then enabled accounts.
    let org_id = &a.found.invitation.org_id;
    let guess = check_sign_in(state, &key, a.peer.ip(), f.password, Some(org_id)).await?;
    let (account, matched, charged) = match guess.opened(lang, now) {
        Ok(opened) => opened,
        Err((status, error)) => return Ok(form(status, &[&error])),
    };
    // The password was right, so this is no guess to count.
    state.store.forgive_sign_in(&matched, &charged).await?;
    if account.state != AccountState::Enabled {
        return Ok(account_disabled(state, lang, a.path));
    }
    let invitee = if &account.org_id == org_id {
        InviteeAccount::existing(&account.username_key, &account.password_hash)
    } else {
        InviteeAccount::new_account(&account.username, &account.password_hash)
    };
    let registration = Registration {
        token_hash: a.token_hash,
        account: invitee,
    };
    let outcome = state.store.register(registration, now).await?;
    Ok(match outcome {
        ConsumeOutcome::Done { .. } => {
            state.ring_events();
            let body_key = "accept_done_body";
            registered(state, lang, a.path, a.found, &account.username, body_key)
        }
        ConsumeOutcome::UsernameTaken => {
            let org = &a.found.invitation.organization_name;
            let text = fill(
                lang.t("accept_username_taken"),
                &[("organization", org), ("username", &account.username)],
            );
            form(StatusCode::CONFLICT, &[&text])
        }
        ConsumeOutcome::AccountUnavailable => account_disabled(state, lang, a.path),
        // Someone else used, cancelled or replaced the link in the meantime: say which.
        ConsumeOutcome::NotUsable => gone_meanwhile(state, lang, a.token, a.path).await,
    })
}
