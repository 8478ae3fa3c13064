//! Joining by the organization code (`/join`): the code form, checking a typed code, and the
//! join form reached from it (`/join/request`).

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;

use super::{
    expired_at, expired_link, locked_out, render_code_form, render_form, submit, Entry, FormView,
    JoinFields,
};
use crate::i18n::{Lang, Texts};
use crate::joining;
use crate::pages::{
    cookie, csrf_cookie, csrf_cookie_name, internal_error, pick_lang, refuse_post, with_cookie,
    LangQuery,
};
use crate::store::{JoinLinkRecord, JoinSecret};
use crate::{PeerAddr, Shared};

pub(crate) async fn code_form(
    State(state): State<Shared>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let (csrf, is_new) = csrf_cookie(&state, &headers);
    let response = render_code_form(&state, lang, StatusCode::OK, &csrf, "", &[]);
    with_cookie(&state, response, &csrf, is_new)
}

/// What checking a typed code found.
enum CodeCheck {
    Found(JoinLinkRecord, String, [u8; 32]),
    /// A page to show instead: the lockout, the wrong-code form, an expiry, an error.
    Refused(Response),
}

/// Checks a code under the per-address lockout: a locked-out address is refused before the
/// code is looked at, and every wrong code counts.
async fn check_code(
    state: &Shared,
    lang: Lang,
    path: &str,
    peer: SocketAddr,
    cookie_value: &str,
    typed: &str,
) -> CodeCheck {
    let now = state.clock.now_secs();
    let client = joining::client_key(peer.ip());
    match state.store.code_lockout(&client, now).await {
        Ok(Some(until)) => return CodeCheck::Refused(locked_out(state, lang, path, until)),
        Ok(None) => {}
        Err(e) => return CodeCheck::Refused(internal_error(state, lang, path, &e)),
    }
    let found = match joining::normalize_code(typed) {
        Some(code) => {
            let hash = joining::code_hash(&state.pepper, &code);
            match state.store.find_join_link(JoinSecret::Code(hash)).await {
                Ok(found) => found.map(|record| (record, code, hash)),
                Err(e) => return CodeCheck::Refused(internal_error(state, lang, path, &e)),
            }
        }
        None => None,
    };
    match found {
        Some((record, code, hash)) => match expired_at(state, &record) {
            Some(at) => CodeCheck::Refused(expired_link(state, lang, path, at)),
            None => CodeCheck::Found(record, code, hash),
        },
        None => match state.store.record_code_failure(&client, now).await {
            Ok(Some(until)) => CodeCheck::Refused(locked_out(state, lang, path, until)),
            Ok(None) => CodeCheck::Refused(render_code_form(
                state,
                lang,
                StatusCode::NOT_FOUND,
                cookie_value,
                typed.trim(),
                &[lang.t("err_code_wrong")],
            )),
            Err(e) => CodeCheck::Refused(internal_error(state, lang, path, &e)),
        },
    }
}

pub(crate) async fn code_submit(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<JoinFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    if let Some(refused) = refuse_post(&state, lang, "/join", &headers, peer, &f.csrf) {
        return refused;
    }
    let cookie_value = cookie(&headers, csrf_cookie_name(&state)).unwrap_or_default();
    match check_code(&state, lang, "/join", peer, &cookie_value, &f.code).await {
        CodeCheck::Refused(page) => page,
        CodeCheck::Found(record, code, _) => render_form(
            &state,
            lang,
            StatusCode::OK,
            FormView {
                entry: Entry::Code(&code),
                record: &record,
                csrf_cookie: &cookie_value,
                fields: &JoinFields::default(),
                errors: &[],
            },
        ),
    }
}

pub(crate) async fn submit_by_code(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<JoinFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    let path = "/join/request";
    if let Some(refused) = refuse_post(&state, lang, path, &headers, peer, &f.csrf) {
        return refused;
    }
    let cookie_value = cookie(&headers, csrf_cookie_name(&state)).unwrap_or_default();
    let (record, code, hash) =
        match check_code(&state, lang, path, peer, &cookie_value, &f.code).await {
            CodeCheck::Refused(page) => return page,
            CodeCheck::Found(record, code, hash) => (record, code, hash),
        };
    submit(
        &state,
        lang,
        &headers,
        Entry::Code(&code),
        JoinSecret::Code(hash),
        &record,
        f,
    )
    .await
}
