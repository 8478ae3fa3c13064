//! Signing in to `/me` and out again, and the check of a username and password that the
//! invitation's sign-in page shares.
//!
//! Failed sign-ins are counted in the store per account (organization and username) and,
//! with a higher threshold, per client address, so a wait holds across restarts and across
//! instances. Past the threshold each failure makes the account's next attempt wait longer
//! (up to `lockout_max_secs`); after the wait the right password signs in, so a guesser can
//! delay a member but never lock them out for good. Unknown usernames are checked against a
//! decoy hash, so they take as long as wrong passwords.

use std::net::{IpAddr, SocketAddr};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use orgdesk_protocol::AccountState;

use super::{
    account_disabled, me_location, member_message, see_other, session_hash, set_session_cookie,
    Notice, ME, SIGN_IN, SIGN_OUT,
};
use crate::error::GatewayError;
use crate::i18n::{fill, Lang, Texts};
use crate::pages::form::FormPost;
use crate::pages::{form, internal_error, page, PageResult};
use crate::render::format_time_seconds;
use crate::secrets;
use crate::store::username_key;
use crate::store::{
    account_throttle_key, address_throttle_key, LockoutPolicy, NewSession, SignInAttempt,
    SignInCandidate, SignInCharge,
};
use crate::Shared;

/// Longer passwords are refused without hashing them (the policy allows 64 characters).
const MAX_PASSWORD_BYTES: usize = 1024;

/// Makes the decoy hash now, so that the first unknown username does not pay for it.
pub(crate) fn warm_decoy_hash() {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(decoy_hash);
    }
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
pub(super) fn verify(password: &[u8], phc: &str) -> bool {
    orgdesk_rules::password::verify(password, phc)
}

/// A hash of a random password with the same parameters as real ones: checking against it
/// costs what checking a real account costs.
pub(super) fn decoy_hash() -> &'static str {
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
fn policy(state: &Shared) -> LockoutPolicy {
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
fn address_policy(state: &Shared) -> LockoutPolicy {
    LockoutPolicy {
        threshold: state.config.sign_in.address_lockout_after_failures,
        ..policy(state)
    }
}

/// Counts a password guess at `now` against the client `address` and each of `accounts`
/// (counter keys), under their wait policies.
pub(crate) async fn charge_guess(
    state: &Shared,
    address: &str,
    accounts: &[String],
    now: i64,
) -> Result<SignInCharge, GatewayError> {
    let attempt = SignInAttempt {
        address: (address, address_policy(state)),
        accounts: (accounts, policy(state)),
    };
    state.store.charge_sign_in(attempt, now).await
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

impl Guess {
    /// The account a right password opened, the key it was counted under and the others
    /// (see [`Guess::Right`]); otherwise the status and the error the form shows: the wait,
    /// or that the username or password is wrong.
    pub(crate) fn opened(
        self,
        lang: Lang,
        now: i64,
    ) -> Result<(SignInCandidate, String, Vec<String>), (StatusCode, String)> {
        match self {
            Guess::Waiting(until) => Err((
                StatusCode::TOO_MANY_REQUESTS,
                locked_message(lang, until, now),
            )),
            Guess::Wrong => Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t("err_sign_in").to_owned(),
            )),
            Guess::Right {
                account,
                matched,
                charged,
            } => Ok((account, matched, charged)),
        }
    }
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
    let now = state.clock.now_secs();
    let charge = charge_guess(state, &address, &account_keys, now).await?;
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

/// The sign-in form. `errors` are shown above it; `notice` (signed out, session ended)
/// beside the title.
pub(super) fn render_sign_in(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    headers: &HeaderMap,
    username: &str,
    notice: Option<&str>,
    errors: &[&str],
) -> Response {
    form::with_csrf(state, headers, |csrf| {
        let extra = context! {
            action => SIGN_IN,
            csrf => state.pepper.csrf_token(csrf, SIGN_IN),
            username => username,
            notice => notice.unwrap_or(""),
            errors => errors,
        };
        page(
            state,
            lang,
            status,
            "me_sign_in.html",
            ME,
            lang.t("me_sign_in_title"),
            extra,
        )
    })
}

form::fields! {
    SignInFields { username, password }
}

pub(crate) async fn sign_in(
    State(state): State<Shared>,
    post: FormPost<SignInFields>,
) -> PageResult {
    let post = post.accept(&state, SIGN_IN)?;
    Ok(
        match try_sign_in(&state, post.lang, &post.headers, post.peer, post.fields).await {
            Ok(response) => response,
            Err(e) => internal_error(&state, post.lang, ME, &e),
        },
    )
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
    let now = state.clock.now_secs();
    let guess = check_sign_in(state, &key, peer.ip(), f.password, None).await?;
    let (account, matched, charged) = match guess.opened(lang, now) {
        Ok(opened) => opened,
        Err((status, error)) => {
            return Ok(render_sign_in(
                state,
                lang,
                status,
                headers,
                typed,
                None,
                &[&error],
            ))
        }
    };
    if account.state != AccountState::Enabled {
        // The password was right, so this is no guess to count; the member learns why.
        state.store.forgive_sign_in(&matched, &charged).await?;
        let Some(reason) = &account.refused_reason else {
            return Ok(account_disabled(state, lang, ME));
        };
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
    let (raw, value) = secrets::new_token();
    state
        .store
        .start_session(
            NewSession {
                org_id: &account.org_id,
                username_key: &account.username_key,
                session_hash: secrets::sha256(&raw),
                throttle: (&matched, &charged),
            },
            state.clock.now_secs(),
        )
        .await?;
    state.ring_events();
    let mut response = see_other(format!("{ME}?lang={}", lang.code()));
    set_session_cookie(state, &mut response, Some(&value));
    Ok(response)
}

form::fields! {
    SignOutFields {}
}

pub(crate) async fn sign_out(
    State(state): State<Shared>,
    post: FormPost<SignOutFields>,
) -> PageResult {
    let post = post.accept(&state, SIGN_OUT)?;
    if let Some(hash) = session_hash(&state, &post.headers) {
        if let Err(e) = state.store.end_session(hash).await {
            return Ok(internal_error(&state, post.lang, ME, &e));
        }
    }
    let mut response = see_other(me_location(post.lang, "signed_out"));
    set_session_cookie(&state, &mut response, None);
    Ok(response)
}
