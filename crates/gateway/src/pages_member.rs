//! The member's own page (`/me`): sign in with username and password, then change the
//! password and the personal fields (name, mobile, email), and sign out. Server-rendered,
//! no JavaScript; every form carries a CSRF token; the session cookie holds 256 random bits
//! of which only the SHA-256 is stored.
//!
//! Failed sign-ins are counted in the store per account (organization and username) and,
//! with a higher threshold, per client address, so a wait holds across restarts and across
//! instances. Past the threshold each failure makes the account's next attempt wait longer
//! (up to `lockout_max_secs`); after the wait the right password signs in, so a guesser can
//! delay a member but never lock them out for good. Unknown usernames are checked against a
//! decoy hash, so they take as long as wrong passwords.

use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use orgdesk_protocol::AccountState;
use serde::Deserialize;

use crate::accounts::username_key;
use crate::error::GatewayError;
use crate::i18n::{fill, Lang};
use crate::pages::{
    cookie, csrf_cookie, internal_error, is_https, page, password_problems, pick_lang, refuse_post,
    with_cookie,
};
use crate::render::format_time_seconds;
use crate::secrets;
use crate::store::{
    account_throttle_key, address_throttle_key, LockoutPolicy, Member, PersonalDetails,
    SignInCandidate,
};
use crate::{PeerAddr, Shared};

/// Longer passwords are refused without hashing them (the policy allows 64 characters).
const MAX_PASSWORD_BYTES: usize = 1024;

const ME: &str = "/me";
const SIGN_IN: &str = "/me/sign-in";
const DETAILS: &str = "/me/details";
const PASSWORD: &str = "/me/password";
const SIGN_OUT: &str = "/me/sign-out";

pub(crate) fn routes() -> Router<Shared> {
    // Make the decoy hash now, so that the first unknown username does not pay for it.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(decoy_hash);
    }
    Router::new()
        .route(ME, get(me))
        .route(SIGN_IN, post(sign_in))
        .route(DETAILS, post(details))
        .route(PASSWORD, post(password))
        .route(SIGN_OUT, post(sign_out))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LangOnly {
    pub lang: Option<String>,
}

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

/// Argon2id with OWASP's parameters (the shared rule), off the request threads.
pub(crate) async fn hash_password(password: String) -> Result<String, GatewayError> {
    tokio::task::spawn_blocking(move || {
        orgdesk_rules::password::hash(&password)
            .map_err(|e| GatewayError::Internal(format!("hashing: {e}")))
    })
    .await?
}

/// The shared check: a hash whose Argon2id parameters are outside the accepted bounds never
/// matches.
fn verify(password: &[u8], phc: &str) -> bool {
    orgdesk_rules::password::verify(password, phc)
}

/// A hash of a random password with the same parameters as real ones: checking against it
/// costs what checking a real account costs.
fn decoy_hash() -> &'static str {
    orgdesk_rules::password::decoy_hash()
}

/// Checks `password` against every hash; the index of the first that matches. With no hash
/// at all it checks the decoy, so the answer takes as long either way. An empty hash (an
/// account that only reserves its username) is checked as the decoy and never matches.
pub(crate) async fn first_match(
    password: String,
    hashes: Vec<String>,
) -> Result<Option<usize>, GatewayError> {
    tokio::task::spawn_blocking(move || {
        if password.len() > MAX_PASSWORD_BYTES {
            return None;
        }
        if hashes.is_empty() {
            orgdesk_rules::password::verify_decoy(&password);
            return None;
        }
        hashes.iter().position(|h| {
            if h.is_empty() {
                orgdesk_rules::password::verify_decoy(&password);
                false
            } else {
                verify(password.as_bytes(), h)
            }
        })
    })
    .await
    .map_err(GatewayError::from)
}

/// The wait policy of one account (organization and username).
pub(crate) fn policy(state: &Shared) -> LockoutPolicy {
    let s = &state.config.sign_in;
    let secs = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    LockoutPolicy {
        threshold: s.lockout_after_failures,
        initial_secs: secs(s.lockout_initial_secs),
        max_secs: secs(s.lockout_max_secs),
        forget_after_secs: secs(s.forget_failures_after_secs),
    }
}

/// The wait policy of one client address: the same waits from a higher threshold.
pub(crate) fn address_policy(state: &Shared) -> LockoutPolicy {
    LockoutPolicy {
        threshold: state.config.sign_in.address_lockout_after_failures,
        ..policy(state)
    }
}

/// The counter key of a client address (an IPv6 client by its /64, which one subscriber
/// usually holds whole).
pub(crate) fn address_key(peer: IpAddr) -> String {
    address_throttle_key(&crate::limits::client_key(peer))
}

/// The organization that stands for "no account": an unknown username is counted under it,
/// so it answers like a known one (waits included) and reveals nothing.
const NO_ORGANIZATION: &str = "-";

/// The outcome of checking a username and password under the waits.
pub(crate) enum Guess {
    /// Refused before (or instead of) checking: the address or the account waits until then.
    Waiting(i64),
    Wrong,
    Right {
        account: SignInCandidate,
        /// The key of the account it opened (its failures are forgotten)…
        matched: String,
        /// …and the keys the attempt was counted against besides (given back).
        charged: Vec<String>,
    },
}

/// Checks a sign-in: counts it against the client address and against every account the
/// username names (in any organization — the `/me` form names none), then checks the
/// password against the accounts that are not waiting. An account waiting because of guesses
/// made where only it was named (the member's own password form)
/// does not hold up the others with that username. `prefer_org`'s account is tried first,
/// then enabled ones.
pub(crate) async fn check_sign_in(
    state: &Shared,
    username_key: &str,
    peer: IpAddr,
    password: String,
    prefer_org: Option<&str>,
) -> Result<Guess, GatewayError> {
    let mut candidates = if username_key.is_empty() || username_key.chars().count() > 64 {
        Vec::new()
    } else {
        state.store.sign_in_candidates(username_key).await?
    };
    candidates.sort_by_key(|c| {
        (
            prefer_org.is_some_and(|o| o != c.org_id),
            c.state != AccountState::Enabled,
        )
    });
    let account_keys: Vec<String> = if candidates.is_empty() {
        vec![account_throttle_key(NO_ORGANIZATION, username_key)]
    } else {
        candidates
            .iter()
            .map(|c| account_throttle_key(&c.org_id, &c.username_key))
            .collect()
    };
    let address = address_key(peer);
    let now = state.clock.now();
    let charge = state
        .store
        .charge_sign_in(
            (&address, address_policy(state)),
            (&account_keys, policy(state)),
            now,
        )
        .await?;
    if let Some(until) = charge.refused_until() {
        return Ok(Guess::Waiting(until));
    }
    // Only the accounts that are not waiting are checked (and were counted).
    let open: Vec<usize> = (0..candidates.len())
        .filter(|i| charge.accounts_until[*i].is_none())
        .collect();
    let hashes = open
        .iter()
        .map(|i| candidates[*i].password_hash.clone())
        .collect();
    let Some(found) = first_match(password, hashes).await? else {
        return Ok(match charge.latest_wait() {
            // Some account with this username waits: say until when, it may be the one.
            Some(until) => Guess::Waiting(until),
            None => Guess::Wrong,
        });
    };
    let index = open[found];
    let matched = account_keys[index].clone();
    let mut charged = vec![address];
    charged.extend(
        open.iter()
            .filter(|i| **i != index)
            .map(|i| account_keys[*i].clone()),
    );
    Ok(Guess::Right {
        account: candidates.swap_remove(index),
        matched,
        charged,
    })
}

/// "Try again after 12:00:30 UTC (in about 30 seconds)."
pub(crate) fn locked_message(lang: Lang, until: i64, now: i64) -> String {
    let wait = (until - now).max(1);
    let wait_text = if wait < 90 {
        fill(lang.t("wait_seconds"), &[("n", &wait.to_string())])
    } else {
        let minutes = (wait + 59) / 60;
        fill(lang.t("wait_minutes"), &[("n", &minutes.to_string())])
    };
    fill(
        lang.t("locked_body"),
        &[("time", &format_time_seconds(until)), ("wait", &wait_text)],
    )
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

fn set_session_cookie(state: &Shared, response: &mut Response, value: Option<&str>) {
    let (name, path, secure) = session_cookie(state);
    let cookie = match value {
        Some(v) => format!("{name}={v}; Path={path}; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    };
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn session_hash(state: &Shared, headers: &HeaderMap) -> Option<[u8; 32]> {
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
            hash,
            state.clock.now(),
            secs(s.session_idle_secs),
            secs(s.session_max_secs),
        )
        .await?;
    Ok(member.map(|m| (m, hash)))
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

/// The sign-in form. `errors` are shown above it; `notice` (signed out, session ended)
/// beside the title.
fn render_sign_in(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    headers: &HeaderMap,
    username: &str,
    notice: Option<&str>,
    errors: &[&str],
) -> Response {
    let (csrf, is_new) = csrf_cookie(state, headers);
    let extra = context! {
        action => SIGN_IN,
        csrf => state.pepper.csrf_token(&csrf, SIGN_IN),
        username => username,
        notice => notice.unwrap_or(""),
        errors => errors,
    };
    let response = page(
        state,
        lang,
        status,
        "me_sign_in.html",
        ME,
        lang.t("me_sign_in_title"),
        extra,
    );
    with_cookie(state, response, &csrf, is_new)
}

/// What the member page shows in its forms: the stored values, or what was just submitted
/// when it comes back with problems.
struct MeView<'a> {
    name: &'a str,
    mobile: &'a str,
    email: &'a str,
    notice: Option<&'a str>,
    details_errors: &'a [&'a str],
    password_errors: &'a [&'a str],
}

fn render_me(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    headers: &HeaderMap,
    member: &Member,
    view: MeView<'_>,
) -> Response {
    let (csrf, is_new) = csrf_cookie(state, headers);
    let token = |action: &str| state.pepper.csrf_token(&csrf, action);
    let extra = context! {
        signed_in_as => fill(
            lang.t("me_signed_in_as"),
            &[("username", &member.username), ("organization", &member.organization_name)],
        ),
        username => &member.username,
        name => view.name,
        mobile => view.mobile,
        email => view.email,
        notice => view.notice.unwrap_or(""),
        details_errors => view.details_errors,
        password_errors => view.password_errors,
        details_action => DETAILS,
        details_csrf => token(DETAILS),
        password_action => PASSWORD,
        password_csrf => token(PASSWORD),
        sign_out_action => SIGN_OUT,
        sign_out_csrf => token(SIGN_OUT),
    };
    let response = page(
        state,
        lang,
        status,
        "me.html",
        ME,
        lang.t("me_title"),
        extra,
    );
    with_cookie(state, response, &csrf, is_new)
}

#[derive(Debug, Default, Deserialize)]
struct MeQuery {
    lang: Option<String>,
    done: Option<String>,
}

async fn me(State(state): State<Shared>, Query(q): Query<MeQuery>, headers: HeaderMap) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let notice_key = match q.done.as_deref() {
        Some("details") => Some("done_details"),
        Some("nothing") => Some("done_nothing"),
        Some("password") => Some("done_password"),
        Some("signed_out") => Some("signed_out"),
        _ => None,
    };
    match current(&state, &headers).await {
        Ok(Some((member, _))) => render_me(
            &state,
            lang,
            StatusCode::OK,
            &headers,
            &member,
            MeView {
                name: &member.name,
                mobile: &member.mobile,
                email: &member.email,
                notice: notice_key.filter(|k| *k != "signed_out").map(|k| lang.t(k)),
                details_errors: &[],
                password_errors: &[],
            },
        ),
        Ok(None) => {
            let notice = if notice_key == Some("signed_out") {
                Some(lang.t("signed_out"))
            } else if session_hash(&state, &headers).is_some() {
                Some(lang.t("session_ended"))
            } else {
                None
            };
            let mut response =
                render_sign_in(&state, lang, StatusCode::OK, &headers, "", notice, &[]);
            if session_hash(&state, &headers).is_some() {
                // The session the browser still names has ended: let it forget the cookie.
                set_session_cookie(&state, &mut response, None);
            }
            response
        }
        Err(e) => internal_error(&state, lang, ME, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) password: String,
}

async fn sign_in(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    if let Some(refused) = refuse_post(&state, lang, SIGN_IN, &headers, peer, &f.csrf) {
        return refused;
    }
    match try_sign_in(&state, lang, &headers, peer, f).await {
        Ok(response) => response,
        Err(e) => internal_error(&state, lang, ME, &e),
    }
}

async fn try_sign_in(
    state: &Shared,
    lang: Lang,
    headers: &HeaderMap,
    peer: SocketAddr,
    f: SignInFields,
) -> Result<Response, GatewayError> {
    let typed = f.username.trim();
    let key = username_key(typed);
    let now = state.clock.now();
    let (account, matched, charged) =
        match check_sign_in(state, &key, peer.ip(), f.password, None).await? {
            Guess::Waiting(until) => {
                let message = locked_message(lang, until, now);
                return Ok(render_sign_in(
                    state,
                    lang,
                    StatusCode::TOO_MANY_REQUESTS,
                    headers,
                    typed,
                    None,
                    &[&message],
                ));
            }
            Guess::Wrong => {
                return Ok(render_sign_in(
                    state,
                    lang,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    headers,
                    typed,
                    None,
                    &[lang.t("err_sign_in")],
                ))
            }
            Guess::Right {
                account,
                matched,
                charged,
            } => (account, matched, charged),
        };
    if account.state != AccountState::Enabled {
        // The password was right, so this is no guess to count; the member learns why.
        state.store.forgive_sign_in(&matched, &charged).await?;
        if let Some(reason) = &account.refused_reason {
            let body = fill(lang.t("registration_refused_body"), &[("reason", reason)]);
            return Ok(member_message(
                state,
                lang,
                StatusCode::FORBIDDEN,
                ME,
                Notice {
                    kind: "refused",
                    title: lang.t("registration_refused_title"),
                    body: &body,
                    link: None,
                },
            ));
        }
        return Ok(member_message(
            state,
            lang,
            StatusCode::FORBIDDEN,
            ME,
            Notice {
                kind: "disabled",
                title: lang.t("account_disabled_title"),
                body: lang.t("account_disabled_body"),
                link: None,
            },
        ));
    }
    let (raw, value) = secrets::new_token();
    state
        .store
        .start_session(
            &account.org_id,
            &account.username_key,
            secrets::sha256(&raw),
            (&matched, &charged),
            state.clock.now(),
        )
        .await?;
    state.ring_events();
    let mut response = see_other(format!("{ME}?lang={}", lang.code()));
    set_session_cookie(state, &mut response, Some(&value));
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DetailsFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) mobile: String,
    #[serde(default)]
    pub(crate) email: String,
}

/// The name as it will be stored, or `None` if it breaks the rule: 1–64 characters after
/// trimming, no control or bidirectional formatting characters.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    ((1..=64).contains(&len) && !name.chars().any(crate::render::forbidden_in_text))
        .then(|| name.to_owned())
}

/// The number in E.164, read in international format (`+`, the country code, the number;
/// spaces, dashes and brackets allowed) by the same rule as the desktop's; empty stays empty
/// (the member removes the number). `None` if it is not a valid number.
pub(crate) fn clean_mobile(mobile: &str) -> Option<String> {
    if mobile
        .chars()
        .all(|c| matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return Some(String::new());
    }
    orgdesk_rules::Mobile::parse_international(mobile)
        .ok()
        .map(orgdesk_rules::Mobile::into_string)
}

/// A syntactically valid address of at most 254 characters; empty stays empty.
pub(crate) fn clean_email(email: &str) -> Option<String> {
    let email = email.trim();
    if email.is_empty() {
        return Some(String::new());
    }
    let ok = email.len() <= 254 && email.parse::<lettre::Address>().is_ok();
    ok.then(|| email.to_owned())
}

async fn details(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<DetailsFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    if let Some(refused) = refuse_post(&state, lang, DETAILS, &headers, peer, &f.csrf) {
        return refused;
    }
    let member = match current(&state, &headers).await {
        Ok(Some((member, _))) => member,
        Ok(None) => return session_ended(&state, lang, &headers),
        Err(e) => return internal_error(&state, lang, ME, &e),
    };
    let (name, mobile, email) = (
        clean_name(&f.name),
        clean_mobile(&f.mobile),
        clean_email(&f.email),
    );
    let (Some(name), Some(mobile), Some(email)) = (name.clone(), mobile.clone(), email.clone())
    else {
        let mut errors = Vec::new();
        for (ok, key) in [
            (name.is_some(), "err_name"),
            (mobile.is_some(), "err_mobile"),
            (email.is_some(), "err_email"),
        ] {
            if !ok {
                errors.push(lang.t(key));
            }
        }
        return render_me(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &headers,
            &member,
            MeView {
                name: &f.name,
                mobile: &f.mobile,
                email: &f.email,
                notice: None,
                details_errors: &errors,
                password_errors: &[],
            },
        );
    };
    let changed = state
        .store
        .change_personal_details(
            &member.org_id,
            &member.username_key,
            PersonalDetails {
                name,
                mobile,
                email,
            },
            state.clock.now(),
        )
        .await;
    match changed {
        Ok(Some(_)) => {
            state.ring_events();
            see_other(me_location(lang, "details"))
        }
        Ok(None) => see_other(me_location(lang, "nothing")),
        Err(e) => internal_error(&state, lang, ME, &e),
    }
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

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PasswordFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
    #[serde(default)]
    pub(crate) current_password: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) password_confirm: String,
}

async fn password(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<PasswordFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    if let Some(refused) = refuse_post(&state, lang, PASSWORD, &headers, peer, &f.csrf) {
        return refused;
    }
    let (member, session) = match current(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return session_ended(&state, lang, &headers),
        Err(e) => return internal_error(&state, lang, ME, &e),
    };
    match change_password(&state, lang, &headers, peer, &member, session, f).await {
        Ok(response) => response,
        Err(e) => internal_error(&state, lang, ME, &e),
    }
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
                name: &member.name,
                mobile: &member.mobile,
                email: &member.email,
                notice: None,
                details_errors: &[],
                password_errors: errors,
            },
        )
    };
    let mut errors: Vec<&str> = password_problems(&f.password, &member.username)
        .into_iter()
        .map(|k| lang.t(k))
        .collect();
    if f.password != f.password_confirm {
        errors.push(lang.t("err_password_mismatch"));
    }
    if !errors.is_empty() {
        return Ok(show_errors(&errors));
    }
    // Checking the current password is a guess like a sign-in, and counted the same way:
    // against this member's account and the client address.
    let account_key = account_throttle_key(&member.org_id, &member.username_key);
    let addr_key = address_key(peer.ip());
    let now = state.clock.now();
    let charge = state
        .store
        .charge_sign_in(
            (&addr_key, address_policy(state)),
            (std::slice::from_ref(&account_key), policy(state)),
            now,
        )
        .await?;
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
            &member.org_id,
            &member.username_key,
            &password_hash,
            session,
            state.clock.now(),
        )
        .await?;
    if !changed {
        return Ok(session_ended(state, lang, headers));
    }
    state.ring_events();
    Ok(see_other(me_location(lang, "password")))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignOutFields {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) lang: String,
}

async fn sign_out(
    State(state): State<Shared>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    form: Result<Form<SignOutFields>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(&f.lang), &headers);
    if let Some(refused) = refuse_post(&state, lang, SIGN_OUT, &headers, peer, &f.csrf) {
        return refused;
    }
    if let Some(hash) = session_hash(&state, &headers) {
        if let Err(e) = state.store.end_session(hash).await {
            return internal_error(&state, lang, ME, &e);
        }
    }
    let mut response = see_other(me_location(lang, "signed_out"));
    set_session_cookie(&state, &mut response, None);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_fields_are_checked_and_tidied() {
        assert_eq!(clean_name("  Li Wei "), Some("Li Wei".into()));
        assert_eq!(clean_name(""), None);
        assert_eq!(clean_name(&"x".repeat(65)), None);
        assert_eq!(clean_name(&"伟".repeat(64)), Some("伟".repeat(64)));
        assert_eq!(clean_name("Li\u{7}Wei"), None);
        assert_eq!(
            clean_mobile("+86 138-0013-8000"),
            Some("+8613800138000".into())
        );
        assert_eq!(clean_mobile(""), Some(String::new()));
        assert_eq!(clean_mobile("13800138000"), None);
        assert_eq!(clean_mobile("+0123456789"), None);
        assert_eq!(clean_mobile("+1234567"), None);
        assert_eq!(clean_mobile("+1234567890123456"), None);
        assert_eq!(clean_mobile("+12345abc90"), None);
        assert_eq!(
            clean_email(" li@example.org "),
            Some("li@example.org".into())
        );
        assert_eq!(clean_email(""), Some(String::new()));
        assert_eq!(clean_email("not an address"), None);
        assert_eq!(clean_email("a@b@c"), None);
    }

    #[test]
    fn mobiles_are_read_by_the_shared_rule() {
        // "+" and 11 digits, but no such number: the desktop refuses it, and so does the page.
        assert_eq!(clean_mobile("+1 555 010 0000"), None);
        assert_eq!(clean_mobile("+15550100000"), None);
        assert_eq!(
            clean_mobile("+1 (415) 555-2671"),
            Some("+14155552671".into())
        );
        assert_eq!(clean_mobile("  "), Some(String::new()));
        let kept = clean_mobile("+44 7911 123456").unwrap();
        assert_eq!(
            clean_mobile(&kept),
            Some(kept.clone()),
            "E.164 reads as itself"
        );
    }

    #[test]
    fn throttle_keys_group_ipv6_by_prefix_and_accounts_by_organization() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(
            address_key("::ffff:10.0.0.1".parse().unwrap()),
            "addr:10.0.0.1"
        );
        assert_ne!(
            account_throttle_key("org_a", "alice"),
            account_throttle_key("org_b", "alice")
        );
    }

    #[test]
    fn locked_message_says_when() {
        let en = locked_message(Lang::En, 1_000_030, 1_000_000);
        assert!(en.contains("in about 30 seconds"), "{en}");
        let long = locked_message(Lang::En, 1_000_000 + 600, 1_000_000);
        assert!(long.contains("in about 10 minutes"), "{long}");
    }

    #[test]
    fn the_decoy_hash_checks_like_a_real_one() {
        assert!(decoy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!verify(b"anything", decoy_hash()));
    }
}
