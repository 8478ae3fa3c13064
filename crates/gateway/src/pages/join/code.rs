//! Joining by the organization code (`/join`): the code form, checking a typed code, and the
//! join form reached from it (`/join/request`).

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;

use super::{
    empty_form, expired_at, expired_link, locked_out, render_code_form, submit, Entry, JoinFields,
};
use crate::i18n::{Lang, Texts};
use crate::joining;
use crate::pages::{form, internal_error, pick_lang, LangQuery, PageResult};
use crate::store::{JoinLinkRecord, JoinSecret};
use crate::{PeerAddr, Shared};

pub(crate) async fn code_form(
    State(state): State<Shared>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    form::with_csrf(&state, &headers, |csrf| {
        render_code_form(&state, lang, StatusCode::OK, csrf, "", &[])
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
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<JoinFields>, FormRejection>,
) -> PageResult {
    let path = "/join";
    let (f, lang) = form::accept_post(&state, path, &headers, peer, form)?;
    let cookie_value = form::posted_cookie(&state, &headers);
    let (record, code, _) = check_code(&state, lang, path, peer, &cookie_value, &f.code).await?;
    let entry = Entry::Code(&code);
    Ok(empty_form(&state, lang, entry, &record, &cookie_value))
}

pub(crate) async fn submit_by_code(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<JoinFields>, FormRejection>,
) -> PageResult {
    let path = "/join/request";
    let (f, lang) = form::accept_post(&state, path, &headers, peer, form)?;
    let cookie_value = form::posted_cookie(&state, &headers);
    let (record, code, hash) = check_code(&state, lang, path, peer, &cookie_value, &f.code).await?;
    let (entry, secret) = (Entry::Code(&code), JoinSecret::Code(hash));
    Ok(submit(&state, lang, &headers, entry, secret, &record, f).await)
}
