//! Changing the password on the member's page (`/me/password`): the current password, checked
//! under the same waits as signing in, then the new one twice under the shared policy.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::profile::{render_me, MeView};
use super::sign_in::{address_key, charge_guess, first_match, hash_password};
use super::{locked_message, me_location, see_other, session_ended, signed_in_post, ME, PASSWORD};
use crate::error::GatewayError;
use crate::i18n::{Lang, Texts};
use crate::pages::form::FormPost;
use crate::pages::{form, internal_error, PageResult};
use crate::store::{account_throttle_key, Member, PasswordChange};
use crate::Shared;

form::fields! {
    PasswordFields { current_password, password, password_confirm }
}

pub(crate) async fn password(
    State(state): State<Shared>,
    post: FormPost<PasswordFields>,
) -> PageResult {
    let (post, member, session) = signed_in_post(&state, post, PASSWORD).await?;
    Ok(
        match change_password(
            &state,
            post.lang,
            &post.headers,
            post.peer,
            &member,
            session,
            post.fields,
        )
        .await
        {
            Ok(response) => response,
            Err(e) => internal_error(&state, post.lang, ME, &e),
        },
    )
}

async fn change_password(
    state: &Shared,
    lang: Lang,
    headers: &HeaderMap,
    peer: SocketAddr,
    member: &Member,
    session: [u8; 32],
    f: PasswordFields,
) -> Result<Response, GatewayError> {
    let show_errors = |errors: &[&str]| {
        render_me(
            state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            headers,
            member,
            MeView {
                password_errors: errors,
                ..MeView::stored(member)
            },
        )
    };
    let problems = form::new_password_problems(&f.password, &f.password_confirm, &member.username);
    if !problems.is_empty() {
        return Ok(show_errors(&form::texts(lang, problems)));
    }
    // Checking the current password is a guess like a sign-in, and counted the same way:
    // against this member's account and the client address.
    let account_key = account_throttle_key(&member.org_id, &member.username_key);
    let addr_key = address_key(peer.ip());
    let now = state.clock.now_secs();
    let accounts = std::slice::from_ref(&account_key);
    let charge = charge_guess(state, &addr_key, accounts, now).await?;
    if let Some(until) = charge.refused_until() {
        let message = locked_message(lang, until, now);
        let mut response = show_errors(&[&message]);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
    }
    let Some(stored) = state
        .store
        .password_hash(&member.org_id, &member.username_key)
        .await?
    else {
        return Ok(session_ended(state, lang, headers));
    };
    if first_match(f.current_password, vec![stored]).await? != Some(0) {
        return Ok(show_errors(&[lang.t("err_current_password")]));
    }
    state
        .store
        .forgive_sign_in(&account_key, &[addr_key])
        .await?;
    let password_hash = hash_password(f.password).await?;
    let changed = state
        .store
        .change_password(
            PasswordChange {
                org_id: member.org_id.clone(),
                username_key: member.username_key.clone(),
                password_hash,
                keep_session: session,
            },
            state.clock.now_secs(),
        )
        .await?;
    if !changed {
        return Ok(session_ended(state, lang, headers));
    }
    state.ring_events();
    Ok(see_other(me_location(lang, "password")))
}
