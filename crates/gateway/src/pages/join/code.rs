//! Joining by the organization code (`/join`): the code form, checking a typed code, and the
//! join form reached from it (`/join/request`).

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{
    empty_form, expired_at, expired_link, locked_out, render_code_form, submit, Entry, JoinFields,
};
use crate::i18n::{Lang, Texts};
use crate::joining;
use crate::pages::form::{Accepted, FormPost};
use crate::pages::{form, internal_error, PageResult, Visit};
use crate::store::{JoinLinkRecord, JoinSecret};
use crate::Shared;

pub(crate) async fn code_form(State(state): State<Shared>, visit: Visit) -> Response {
    form::with_csrf(&state, &visit.headers, |csrf| {
        render_code_form(&state, visit.lang(), StatusCode::OK, csrf, "", &[])
    })
}

/// A post of the code form at `path`, accepted, with the link the code opens, the code as
/// typed in its normal form and its hash.
struct CodePost {
    post: Accepted<JoinFields>,
    record: JoinLinkRecord,
    code: String,
    hash: [u8; 32],
}

/// Accepts a post of the code form at `path` and checks its code; otherwise the page to show
/// instead (see [`check_code`]).
async fn code_post(
    state: &Shared,
    path: &str,
    post: FormPost<JoinFields>,
) -> Result<CodePost, Response> {
    let post = post.accept(state, path)?;
    let cookie_value = form::posted_cookie(state, &post.headers);
    let checked = check_code(
        state,
        post.lang,
        path,
        post.peer,
        &cookie_value,
        &post.fields.code,
    );
    let (record, code, hash) = checked.await?;
    Ok(CodePost {
        post,
        record,
        code,
        hash,
    })
}

/// Checks a code under the per-address lockout: a locked-out address is refused before the
/// code is looked at, and every wrong code counts. The link the code opens, the code as
/// typed in its normal form and its hash; otherwise the page to show instead: the lockout,
/// the wrong-code form, an expiry, an error.
async fn check_code(
    state: &Shared,
    lang: Lang,
    path: &str,
    peer: SocketAddr,
    cookie_value: &str,
    typed: &str,
) -> Result<(JoinLinkRecord, String, [u8; 32]), Response> {
    let now = state.clock.now_secs();
    let client = joining::client_key(peer.ip());
    match state.store.code_lockout(&client, now).await {
        Ok(Some(until)) => return Err(locked_out(state, lang, path, until)),
        Ok(None) => {}
        Err(e) => return Err(internal_error(state, lang, path, &e)),
    }
    let found = match joining::normalize_code(typed) {
        Some(code) => {
            let hash = joining::code_hash(&state.pepper, &code);
            match state.store.find_join_link(JoinSecret::Code(hash)).await {
                Ok(found) => found.map(|record| (record, code, hash)),
                Err(e) => return Err(internal_error(state, lang, path, &e)),
            }
        }
        None => None,
    };
    match found {
        Some((record, code, hash)) => match expired_at(state, &record) {
            Some(at) => Err(expired_link(state, lang, path, at)),
            None => Ok((record, code, hash)),
        },
        None => match state.store.record_code_failure(&client, now).await {
            Ok(Some(until)) => Err(locked_out(state, lang, path, until)),
            Ok(None) => Err(render_code_form(
                state,
                lang,
                StatusCode::NOT_FOUND,
                cookie_value,
                typed.trim(),
                &[lang.t("err_code_wrong")],
            )),
            Err(e) => Err(internal_error(state, lang, path, &e)),
        },
    }
}

pub(crate) async fn code_submit(
    State(state): State<Shared>,
    post: FormPost<JoinFields>,
) -> PageResult {
    let CodePost {
        post, record, code, ..
    } = code_post(&state, "/join", post).await?;
    let cookie_value = form::posted_cookie(&state, &post.headers);
    let entry = Entry::Code(&code);
    Ok(empty_form(&state, post.lang, entry, &record, &cookie_value))
}

pub(crate) async fn submit_by_code(
    State(state): State<Shared>,
    post: FormPost<JoinFields>,
) -> PageResult {
    let CodePost {
        post,
        record,
        code,
        hash,
    } = code_post(&state, "/join/request", post).await?;
    let (entry, secret) = (Entry::Code(&code), JoinSecret::Code(hash));
    Ok(submit(
        &state,
        post.lang,
        &post.headers,
        entry,
        secret,
        &record,
        post.fields,
    )
    .await)
}
