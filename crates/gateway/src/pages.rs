//! The pages behind invitation links. Server-rendered, no JavaScript, both languages; every
//! form carries a CSRF token bound to a cookie; problems with a link get a page that says
//! which problem and what to do, never an internal error.

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use minijinja::{context, Value};
use serde::Deserialize;

use crate::error::GatewayError;
use crate::i18n::{fill, Lang};
use crate::render::{format_time, STYLESHEET};
use crate::secrets;
use crate::store::{ConsumeOutcome, InvitationState, TokenLookup};
use crate::{AppState, PeerAddr, Shared};

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

pub(crate) mod join;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/i/{token}", get(invitation))
        .route("/i/{token}/register", get(register_form).post(register))
        .route("/i/{token}/decline", get(decline_form).post(decline))
        .merge(crate::pages_accept::routes())
        .route("/static/gateway.css", get(stylesheet))
        .merge(join::routes())
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

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// What a link leads to.
pub(crate) enum Link {
    Valid(TokenLookup),
    Unknown,
    Expired(TokenLookup),
    Used(TokenLookup),
    Cancelled(TokenLookup),
    Replaced,
}

pub(crate) async fn resolve(
    state: &Shared,
    token: &str,
) -> Result<(Link, Option<[u8; 32]>), GatewayError> {
    let Some(raw) = secrets::decode_token(token) else {
        return Ok((Link::Unknown, None));
    };
    let hash = state.pepper.token_hash(&raw);
    let Some(found) = state.store.lookup_token(hash).await? else {
        return Ok((Link::Unknown, Some(hash)));
    };
    // A cancelled invitation's links are revoked too; say "cancelled", the cause. Otherwise a
    // revoked link was replaced by a resend, whatever became of the newer link.
    let link = match found.invitation.state {
        InvitationState::Cancelled => Link::Cancelled(found),
        _ if found.revoked => Link::Replaced,
        InvitationState::Registered | InvitationState::Declined => Link::Used(found),
        InvitationState::Pending if found.used => Link::Used(found),
        InvitationState::Pending if found.expires_at <= state.clock.now() => Link::Expired(found),
        InvitationState::Pending => Link::Valid(found),
    };
    Ok((link, Some(hash)))
}

/// The page for a link that cannot be used, saying why and what to do.
pub(crate) fn link_problem(state: &Shared, lang: Lang, path: &str, link: &Link) -> Response {
    let (kind, title, body, status) = match link {
        Link::Valid(_) => unreachable!("only called for unusable links"),
        Link::Unknown => (
            "unknown",
            lang.t("unknown_title"),
            lang.t("unknown_body").to_owned(),
            StatusCode::NOT_FOUND,
        ),
        Link::Replaced => (
            "replaced",
            lang.t("replaced_title"),
            lang.t("replaced_body").to_owned(),
            StatusCode::GONE,
        ),
        Link::Expired(f) => (
            "expired",
            lang.t("expired_title"),
            fill(
                lang.t("expired_body"),
                &[
                    ("date", &format_time(f.expires_at)),
                    ("inviter", &f.invitation.inviter_name),
                ],
            ),
            StatusCode::GONE,
        ),
        Link::Cancelled(f) => (
            "cancelled",
            lang.t("cancelled_title"),
            fill(
                lang.t("cancelled_body"),
                &[
                    ("inviter", &f.invitation.inviter_name),
                    ("organization", &f.invitation.organization_name),
                ],
            ),
            StatusCode::GONE,
        ),
        Link::Used(f) => {
            let key = if f.invitation.state == InvitationState::Declined {
                "used_declined_body"
            } else {
                "used_registered_body"
            };
            (
                "used",
                lang.t("used_title"),
                fill(lang.t(key), &[("inviter", &f.invitation.inviter_name)]),
                StatusCode::GONE,
            )
        }
    };
    message(state, lang, status, path, kind, title, &body)
}

async fn invitation(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}");
    let found = match resolve(&state, &token).await {
        Ok((Link::Valid(found), _)) => found,
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    let inv = &found.invitation;
    match state.store.mark_opened(&inv.id, state.clock.now()).await {
        Ok(true) => state.ring_events(),
        Ok(false) => {}
        // Not worth failing the page over: the person can still join.
        Err(e) => tracing::error!(error = %e, "cannot record that an invitation was opened"),
    }
    let heading = fill(
        lang.t("invite_heading"),
        &[
            ("inviter", &inv.inviter_name),
            ("organization", &inv.organization_name),
        ],
    );
    let extra = context! {
        heading => &heading,
        greeting => fill(lang.t("invite_greeting"), &[("name", &inv.invitee_name)]),
        department => &inv.department_label,
        position => &inv.position_label,
        expires => fill(lang.t("expires"), &[("date", &format_time(found.expires_at))]),
        register_href => format!("{path}/register?lang={}", lang.code()),
        decline_href => format!("{path}/decline?lang={}", lang.code()),
        accept_href => format!("{path}/sign-in?lang={}", lang.code()),
    };
    page(
        &state,
        lang,
        StatusCode::OK,
        "invitation.html",
        &path,
        &heading,
        extra,
    )
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

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegisterFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) password_confirm: String,
}

/// What the register form shows besides the page frame.
struct RegisterView<'a> {
    token: &'a str,
    found: &'a TokenLookup,
    csrf_cookie: &'a str,
    username: &'a str,
    errors: &'a [&'a str],
}

fn render_register(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    view: RegisterView<'_>,
) -> Response {
    let RegisterView {
        token,
        found,
        csrf_cookie,
        username,
        errors,
    } = view;
    let action = format!("/i/{token}/register");
    let extra = context! {
        intro => fill(lang.t("register_intro"), &[("organization", &found.invitation.organization_name)]),
        action => &action,
        csrf => state.pepper.csrf_token(csrf_cookie, &action),
        username => username,
        errors => errors,
    };
    page(
        state,
        lang,
        status,
        "register.html",
        &action,
        lang.t("register_title"),
        extra,
    )
}

async fn register_form(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}/register");
    let found = match resolve(&state, &token).await {
        Ok((Link::Valid(found), _)) => found,
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    let (csrf, is_new) = csrf_cookie(&state, &headers);
    let response = render_register(
        &state,
        lang,
        StatusCode::OK,
        RegisterView {
            token: &token,
            found: &found,
            csrf_cookie: &csrf,
            username: "",
            errors: &[],
        },
    );
    with_cookie(&state, response, &csrf, is_new)
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

/// The register form's username as it will be kept (trimmed), and the translation keys of
/// what is wrong with the form: the username's format, the password policy, the confirmation.
pub(crate) fn register_problems(f: &RegisterFields) -> (String, Vec<&'static str>) {
    let username = f.username.trim().to_owned();
    let mut problems = Vec::new();
    if !username_ok(&username) {
        problems.push("err_username_format");
    }
    problems.extend(password_problems(&f.password, &username));
    if f.password != f.password_confirm {
        problems.push("err_password_mismatch");
    }
    (username, problems)
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
    if !state.form_limiter.allow(&client, state.clock.now()) {
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

async fn register(
    State(state): State<Shared>,
    Path(token): Path<String>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<RegisterFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    let path = format!("/i/{token}/register");
    if let Some(refused) = refuse_post(&state, lang, &path, &headers, peer, &f.csrf) {
        return refused;
    }
    let (found, hash) = match resolve(&state, &token).await {
        Ok((Link::Valid(found), Some(hash))) => (found, hash),
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    let cookie_value = cookie(&headers, csrf_cookie_name(&state)).unwrap_or_default();
    let (username, problems) = register_problems(&f);
    let errors: Vec<&str> = problems.into_iter().map(|k| lang.t(k)).collect();
    if !errors.is_empty() {
        return render_register(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            RegisterView {
                token: &token,
                found: &found,
                csrf_cookie: &cookie_value,
                username: &username,
                errors: &errors,
            },
        );
    }

    // Argon2id with OWASP's parameters takes tens of milliseconds: keep it off the reactor.
    let password_hash = match crate::pages_member::hash_password(f.password).await {
        Ok(h) => h,
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    match state
        .store
        .register(hash, &username, &password_hash, state.clock.now())
        .await
    {
        Ok(ConsumeOutcome::Done { .. }) => {
            state.ring_events();
            let org = &found.invitation.organization_name;
            let title = fill(lang.t("registered_title"), &[("organization", org)]);
            let body = fill(
                lang.t("registered_body"),
                &[("organization", org), ("username", &username)],
            );
            message(
                &state,
                lang,
                StatusCode::OK,
                &path,
                "registered",
                &title,
                &body,
            )
        }
        Ok(ConsumeOutcome::UsernameTaken) => render_register(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            RegisterView {
                token: &token,
                found: &found,
                csrf_cookie: &cookie_value,
                username: &username,
                errors: &[lang.t("err_username_taken")],
            },
        ),
        // Someone else used, cancelled or replaced the link in the meantime: say which.
        Ok(ConsumeOutcome::NotUsable | ConsumeOutcome::AccountUnavailable) => {
            match resolve(&state, &token).await {
                Ok((link, _)) if !matches!(link, Link::Valid(_)) => {
                    link_problem(&state, lang, &path, &link)
                }
                Ok(_) => link_problem(&state, lang, &path, &Link::Unknown),
                Err(e) => internal_error(&state, lang, &path, &e),
            }
        }
        Err(e) => internal_error(&state, lang, &path, &e),
    }
}

async fn decline_form(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}/decline");
    let found = match resolve(&state, &token).await {
        Ok((Link::Valid(found), _)) => found,
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    let (csrf, is_new) = csrf_cookie(&state, &headers);
    let inv = &found.invitation;
    let extra = context! {
        intro => fill(lang.t("decline_intro"), &[("inviter", &inv.inviter_name), ("organization", &inv.organization_name)]),
        action => &path,
        csrf => state.pepper.csrf_token(&csrf, &path),
        back_href => format!("/i/{token}?lang={}", lang.code()),
    };
    let response = page(
        &state,
        lang,
        StatusCode::OK,
        "decline.html",
        &path,
        lang.t("decline_title"),
        extra,
    );
    with_cookie(&state, response, &csrf, is_new)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeclineFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
}

async fn decline(
    State(state): State<Shared>,
    Path(token): Path<String>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<DeclineFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    let path = format!("/i/{token}/decline");
    if let Some(refused) = refuse_post(&state, lang, &path, &headers, peer, &f.csrf) {
        return refused;
    }
    let (found, hash) = match resolve(&state, &token).await {
        Ok((Link::Valid(found), Some(hash))) => (found, hash),
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    match state.store.decline(hash, state.clock.now()).await {
        Ok(ConsumeOutcome::Done { .. }) => {
            state.ring_events();
            let body = fill(
                lang.t("declined_body"),
                &[("organization", &found.invitation.organization_name)],
            );
            message(
                &state,
                lang,
                StatusCode::OK,
                &path,
                "declined",
                lang.t("declined_title"),
                &body,
            )
        }
        Ok(_) => match resolve(&state, &token).await {
            Ok((link, _)) if !matches!(link, Link::Valid(_)) => {
                link_problem(&state, lang, &path, &link)
            }
            Ok(_) => link_problem(&state, lang, &path, &Link::Unknown),
            Err(e) => internal_error(&state, lang, &path, &e),
        },
        Err(e) => internal_error(&state, lang, &path, &e),
    }
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
