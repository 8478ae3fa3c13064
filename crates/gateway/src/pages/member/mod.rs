//! The member's own page (`/me`): the plumbing its parts share — the session cookie, the
//! signed-in member, message pages — and the parts themselves: signing in and out
//! ([`sign_in`]), the page and the personal fields ([`profile`]) and changing the password
//! ([`password`]). Server-rendered, no JavaScript; every form carries a CSRF token; the
//! session cookie holds 256 random bits of which only the SHA-256 is stored.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::form::{Accepted, FormPost, Posted};
use super::{cookie, internal_error, is_https, page};
use crate::error::GatewayError;
use crate::i18n::{Lang, Texts};
use crate::secrets;
use crate::store::{Member, SessionLookup};
use crate::Shared;

pub(crate) mod password;
pub(crate) mod profile;
pub(crate) mod sign_in;
#[cfg(test)]
mod tests;

use sign_in::render_sign_in;
pub(crate) use sign_in::{check_sign_in, hash_password, locked_message};

pub(crate) const ME: &str = "/me";
pub(crate) const SIGN_IN: &str = "/me/sign-in";
pub(crate) const DETAILS: &str = "/me/details";
pub(crate) const PASSWORD: &str = "/me/password";
pub(crate) const SIGN_OUT: &str = "/me/sign-out";

/// A message page's content, optionally with one link onwards.
pub(crate) struct Notice<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<(&'a str, &'a str)>,
}

pub(crate) fn member_message(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    path: &str,
    notice: Notice<'_>,
) -> Response {
    let (link_href, link_text) = notice.link.unwrap_or(("", ""));
    page(
        state,
        lang,
        status,
        "member_message.html",
        path,
        notice.title,
        context! {
            kind => notice.kind,
            body => notice.body,
            link_href => link_href,
            link_text => link_text,
        },
    )
}

/// The page for a right password to an account that is disabled or removed.
pub(crate) fn account_disabled(state: &Shared, lang: Lang, path: &str) -> Response {
    let notice = Notice {
        kind: "disabled",
        title: lang.t("account_disabled_title"),
        body: lang.t("account_disabled_body"),
        link: None,
    };
    member_message(state, lang, StatusCode::FORBIDDEN, path, notice)
}

/// The session cookie's name and path: under https `__Host-orgdesk_session` on `/` (the
/// prefix requires `Path=/` and `Secure`), on http (loopback) `orgdesk_session` on `/me`.
fn session_cookie(state: &Shared) -> (&'static str, &'static str, &'static str) {
    if is_https(state) {
        ("__Host-orgdesk_session", "/", "; Secure")
    } else {
        ("orgdesk_session", ME, "")
    }
}

pub(super) fn set_session_cookie(state: &Shared, response: &mut Response, value: Option<&str>) {
    let (name, path, secure) = session_cookie(state);
    let cookie = match value {
        Some(v) => format!("{name}={v}; Path={path}; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    };
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub(super) fn session_hash(state: &Shared, headers: &HeaderMap) -> Option<[u8; 32]> {
    let value = cookie(headers, session_cookie(state).0)?;
    let raw = secrets::decode_token(&value)?;
    Some(secrets::sha256(&raw))
}

/// The signed-in member and their session's hash, if the cookie names a live session.
async fn current(
    state: &Shared,
    headers: &HeaderMap,
) -> Result<Option<(Member, [u8; 32])>, GatewayError> {
    let Some(hash) = session_hash(state, headers) else {
        return Ok(None);
    };
    let s = &state.config.sign_in;
    let secs = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let member = state
        .store
        .member_session(
            SessionLookup {
                hash,
                idle_secs: secs(s.session_idle_secs),
                max_secs: secs(s.session_max_secs),
            },
            state.clock.now_secs(),
        )
        .await?;
    Ok(member.map(|m| (m, hash)))
}

/// A member's post to the form at `path`, once accepted (see [`FormPost::accept`]), with the
/// signed-in member and their session's hash; otherwise the page shown instead: the refusal,
/// the sign-in form saying the session ended, or the page for a failed lookup.
async fn signed_in_post<F: Posted>(
    state: &Shared,
    post: FormPost<F>,
    path: &str,
) -> Result<(Accepted<F>, Member, [u8; 32]), Response> {
    let post = post.accept(state, path)?;
    match current(state, &post.headers).await {
        Ok(Some((member, session))) => Ok((post, member, session)),
        Ok(None) => Err(session_ended(state, post.lang, &post.headers)),
        Err(e) => Err(internal_error(state, post.lang, ME, &e)),
    }
}

fn see_other(location: String) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn me_location(lang: Lang, done: &str) -> String {
    format!("{ME}?lang={}&done={done}", lang.code())
}

fn session_ended(state: &Shared, lang: Lang, headers: &HeaderMap) -> Response {
    let mut response = render_sign_in(
        state,
        lang,
        StatusCode::UNAUTHORIZED,
        headers,
        "",
        Some(lang.t("session_ended")),
        &[],
    );
    set_session_cookie(state, &mut response, None);
    response
}
