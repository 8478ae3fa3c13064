//! Every page people open in a browser, and the plumbing the pages share: the language, the
//! layout, message pages, cookies and the CSRF check on every form. Server-rendered, no
//! JavaScript, both languages; problems with a link get a page that says which problem and
//! what to do, never an internal error.
//!
//! - [`invitation`]: the pages behind invitation links (`/i/{token}`: register, decline,
//!   accept with an existing account);
//! - [`join`]: joining by the public link or the organization code (`/j/…`, `/join`);
//! - [`member`]: the member's own page (`/me`);
//! - [`reset`]: the page behind a password reset link (`/r/{token}`).

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::error::GatewayError;
use crate::i18n::{Lang, Texts};
use crate::render::STYLESHEET;
use crate::secrets;
use crate::{AppState, Shared};

pub(crate) mod form;
pub(crate) mod invitation;
pub(crate) mod join;
pub(crate) mod member;
pub(crate) mod reset;

/// A page, or (`Err`) the page shown instead: a refused post, a link that cannot be used,
/// an ended session.
pub(crate) type PageResult = Result<Response, Response>;

/// Whether people reach the gateway over https (its configured public address).
pub(crate) fn is_https(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

/// The CSRF cookie's name. Under https every cookie carries the `__Host-` prefix: a browser
/// then takes it only with `Secure`, `Path=/` and no `Domain`, so no sibling subdomain and
/// no plain-http page can set or shadow it. On http (loopback) the plain name.
pub(crate) fn csrf_cookie_name(state: &AppState) -> &'static str {
    if is_https(state) {
        "__Host-orgdesk_csrf"
    } else {
        "orgdesk_csrf"
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LangQuery {
    pub(crate) lang: Option<String>,
}

/// `?lang=` wins, then the browser's Accept-Language.
pub(crate) fn pick_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    query.and_then(Lang::parse).unwrap_or_else(|| {
        Lang::negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    })
}

/// A page opened with its language perhaps asked for (`?lang=`), with the request's headers
/// (the browser's language, the cookies).
pub(crate) struct Visit {
    pub(crate) lang_asked: Option<String>,
    pub(crate) headers: HeaderMap,
}

impl Visit {
    /// `?lang=`, else the browser's language.
    pub(crate) fn lang(&self) -> Lang {
        pick_lang(self.lang_asked.as_deref(), &self.headers)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let (Query(asked), headers) =
            <(Query<LangQuery>, HeaderMap)>::from_request_parts(parts, state).await?;
        let lang_asked = asked.lang;
        Ok(Self {
            lang_asked,
            headers,
        })
    }
}

/// A page opened by a link that carries a token in its path (`/i/{token}`, `/j/{token}`,
/// `/r/{token}` …): the token, and the visit.
pub(crate) struct LinkVisit {
    pub(crate) token: String,
    pub(crate) visit: Visit,
}

impl<S: Send + Sync> FromRequestParts<S> for LinkVisit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let (Path(token), visit) =
            <(Path<String>, Visit)>::from_request_parts(parts, state).await?;
        Ok(Self { token, visit })
    }
}

/// What a link's token leads to (`L`), with the token's hash unless the token is not one
/// this gateway can have made.
pub(crate) type Resolved<L> = Result<(L, Option<[u8; 32]>), GatewayError>;

/// What the store finds (`find`) for a link's token, with the token's hash; nothing, and no
/// hash, for a token this gateway cannot have made.
pub(crate) async fn find_link<T, F>(
    state: &Shared,
    token: &str,
    find: impl FnOnce([u8; 32]) -> F,
) -> Resolved<Option<T>>
where
    F: Future<Output = Result<Option<T>, GatewayError>>,
{
    let Some(raw) = secrets::decode_token(token) else {
        return Ok((None, None));
    };
    let hash = state.pepper.token_hash(&raw);
    Ok((find(hash).await?, Some(hash)))
}

/// The language switcher's link: `path` when it is plainly a path on this gateway (`/`
/// and segments of letters, digits, `-` and `_`, none empty), else the bare query, which the
/// browser resolves against the page's own address. So no link on a page ever leads
/// elsewhere (`//host/…`, `/\host/…`) or carries odd input, whatever address was requested.
fn switch_href(path: &str, lang: Lang) -> String {
    let local = path.strip_prefix('/').is_some_and(|rest| {
        rest.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        })
    });
    let path = if local { path } else { "" };
    format!("{path}?lang={}", lang.code())
}

/// Renders a page inside the layout, with the language switcher pointing at `path`.
pub(crate) fn page(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    name: &str,
    path: &str,
    title: &str,
    extra: Value,
) -> Response {
    let other = lang.other();
    let ctx = context! {
        lang => lang.code(),
        t => lang.table(),
        title => title,
        switch_href => switch_href(path, other),
        other_lang => other.code(),
        other_lang_name => other.native_name(),
        ..extra
    };
    match state.templates.render(name, ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><title>Error</title><p>Something went wrong. Please try again later.</p>")).into_response()
        }
    }
}

/// A page with a title and one paragraph.
pub(crate) fn message(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    path: &str,
    kind: &str,
    title: &str,
    body: &str,
) -> Response {
    page(
        state,
        lang,
        status,
        "message.html",
        path,
        title,
        context! { kind => kind, body => body },
    )
}

/// The page for a failure we did not expect: logged in full, shown as a plain apology.
pub(crate) fn internal_error(state: &Shared, lang: Lang, path: &str, e: &GatewayError) -> Response {
    tracing::error!(error = %e, "page failed");
    message(
        state,
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        path,
        "error",
        lang.t("error_title"),
        lang.t("error_body"),
    )
}

/// The `404` page for an address that leads nowhere, with the title and body `[title, body]`
/// name.
pub(crate) fn unknown_page(
    state: &Shared,
    lang: Lang,
    path: &str,
    [title, body]: [&str; 2],
) -> Response {
    let status = StatusCode::NOT_FOUND;
    message(
        state,
        lang,
        status,
        path,
        "unknown",
        lang.t(title),
        lang.t(body),
    )
}

pub(crate) async fn not_found(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return GatewayError::NotFound.into_response();
    }
    let lang = pick_lang(None, &headers);
    // The requested address is not used on the page (not even for the language switcher):
    // nothing the client sends becomes a link.
    message(
        &state,
        lang,
        StatusCode::NOT_FOUND,
        "",
        "not_found",
        lang.t("not_found_title"),
        lang.t("unknown_body"),
    )
}

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The browser's CSRF cookie, or a new one to set.
pub(crate) fn csrf_cookie(state: &AppState, headers: &HeaderMap) -> (String, bool) {
    csrf_cookie_named(headers, csrf_cookie_name(state))
}

/// The browser's CSRF cookie under `name` when it is one of ours, else a fresh one.
pub(crate) fn csrf_cookie_named(headers: &HeaderMap, name: &str) -> (String, bool) {
    match cookie(headers, name) {
        Some(v)
            if v.len() == 22
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            (v, false)
        }
        _ => (secrets::encode(&secrets::random_bytes::<16>()), true),
    }
}

pub(crate) fn with_cookie(
    state: &Shared,
    mut response: Response,
    value: &str,
    is_new: bool,
) -> Response {
    if is_new {
        let secure = if is_https(state) { "; Secure" } else { "" };
        let name = csrf_cookie_name(state);
        let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(v) = HeaderValue::from_str(&v) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// 3–32 of letters, digits, `.`, `_`, `-` (the shared username rule, on the value as given).
pub(crate) fn username_ok(username: &str) -> bool {
    orgdesk_rules::username::is_valid(username)
}

/// Translation keys of every way the password breaks the shared policy: 8–64 characters,
/// three of the four classes (lowercase, uppercase, digits, symbols), not containing the
/// username. An empty password breaks only the length.
pub(crate) fn password_problems(password: &str, username: &str) -> Vec<&'static str> {
    use orgdesk_rules::password::PolicyProblem;
    let mut problems = Vec::new();
    for problem in orgdesk_rules::password::check_policy(password, Some(username)) {
        let key = match problem {
            PolicyProblem::Required | PolicyProblem::TooShort | PolicyProblem::TooLong => {
                "err_password_length"
            }
            PolicyProblem::Weak => "err_password_classes",
            PolicyProblem::ContainsUsername => "err_password_contains_username",
        };
        if !problems.contains(&key) {
            problems.push(key);
        }
    }
    problems
}

/// Checks the form's origin proof, then the client's rate; `Some(response)` refuses the post.
/// A post without a valid CSRF token is refused before it is counted, so junk sent in
/// someone else's name (or from behind the same proxy) uses up nobody's budget.
pub(crate) fn refuse_post(
    state: &Shared,
    lang: Lang,
    path: &str,
    headers: &HeaderMap,
    peer: SocketAddr,
    csrf: &str,
) -> Option<Response> {
    let ok = cookie(headers, csrf_cookie_name(state))
        .is_some_and(|c| state.pepper.csrf_ok(&c, path, csrf));
    if !ok {
        return Some(message(
            state,
            lang,
            StatusCode::FORBIDDEN,
            path,
            "csrf",
            lang.t("csrf_title"),
            lang.t("csrf_body"),
        ));
    }
    let client = crate::limits::client_key(peer.ip());
    if !state.form_limiter.allow(&client, state.clock.now_secs()) {
        return Some(message(
            state,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            path,
            "rate_limited",
            lang.t("rate_title"),
            lang.t("rate_body"),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switcher_never_leads_elsewhere() {
        assert_eq!(switch_href("/me", Lang::En), "/me?lang=en");
        assert_eq!(
            switch_href("/i/abc-_9/register", Lang::En),
            "/i/abc-_9/register?lang=en"
        );
        for odd in [
            "//evil.example/x",
            "/\\evil.example",
            "",
            "x",
            "/a b",
            "/a\"<",
            "/a?b",
        ] {
            assert_eq!(switch_href(odd, Lang::En), "?lang=en", "{odd:?}");
        }
    }

    #[test]
    fn username_rule() {
        assert!(username_ok("ann.lee_2-x"));
        assert!(!username_ok("ab"));
        assert!(!username_ok(&"a".repeat(33)));
        assert!(!username_ok("ann lee"));
        assert!(!username_ok("<script>"));
    }

    #[test]
    fn password_rule() {
        assert!(password_problems("Correct-Horse1", "ann").is_empty());
        assert_eq!(password_problems("Ab1!", ""), ["err_password_length"]);
        assert_eq!(
            password_problems("alllowercase", ""),
            ["err_password_classes"]
        );
        assert_eq!(
            password_problems("Annabel-2024", "annabel"),
            ["err_password_contains_username"]
        );
    }
}
