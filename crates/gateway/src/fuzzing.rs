//! Entry points for the fuzz targets (`fuzz/`), not part of the gateway's interface: the
//! pages' form bodies decoded and checked as the handlers do it, and the configuration read
//! and turned into what the server starts with. Each panics only when something the gateway
//! relies on does not hold.

use std::sync::OnceLock;

use axum::http::{header, HeaderMap, HeaderValue};
use orgdesk_protocol::JoinField;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::i18n::Lang;
use crate::limits::{RateLimiter, TrustedProxies};
use crate::pages;
use crate::pages::invitation::{self, DeclineFields, RegisterFields};
use crate::pages::join::{self, JoinFields};

/// The CSRF cookie's name on http (loopback); under https it carries the `__Host-` prefix.
const CSRF_COOKIE: &str = "orgdesk_csrf";
use crate::secrets::Pepper;

/// The forms of the pages, in the order the first input byte picks them.
pub const FORMS: [&str; 10] = [
    "register",
    "decline",
    "accept",
    "sign_in",
    "details",
    "password",
    "sign_out",
    "reset",
    "join",
    "join_code",
];

/// A form body as axum's `Form` reads it; a body it rejects is an empty form (the handlers'
/// `unwrap_or_default`).
fn decode<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn encode(pairs: &[(&str, &str)]) -> Vec<u8> {
    serde_urlencoded::to_string(pairs)
        .expect("string pairs always encode")
        .into_bytes()
}

fn pepper() -> &'static Pepper {
    static PEPPER: OnceLock<Pepper> = OnceLock::new();
    PEPPER.get_or_init(Pepper::ephemeral)
}

/// The language and CSRF checks every post goes through first: the submitted token, used as
/// the browser's cookie, and checked against the form's action.
fn lang_and_csrf(lang: &str, csrf: &str, action: &str) {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("a=b; {CSRF_COOKIE}={csrf}; c")) {
        headers.insert(header::COOKIE, v);
    }
    let _ = pages::pick_lang(Some(lang), &headers);
    let _ = Lang::parse(lang);
    let (cookie, is_new) = pages::csrf_cookie_named(&headers, CSRF_COOKIE);
    assert_eq!(cookie.len(), 22, "a CSRF cookie is 22 characters");
    if !is_new {
        // The browser's own cookie, kept as sent (pairs are trimmed, as cookies are).
        assert!(cookie
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(csrf.contains(&cookie));
    }
    let p = pepper();
    let token = p.csrf_token(&cookie, action);
    assert!(p.csrf_ok(&cookie, action, &token));
    if p.csrf_ok(&cookie, action, csrf) {
        assert_eq!(csrf, token);
    }
    assert!(!p.csrf_ok(&cookie, &format!("{action}x"), &token));
}

/// Decodes `body` as form `FORMS[which % FORMS.len()]` and checks it as its handler does;
/// `required` are the join link's required fields. Whatever is accepted is encoded again as
/// the browser would send it, and must be accepted again with the same values.
pub fn form(which: u8, body: &[u8], required: &[JoinField]) {
    match FORMS[usize::from(which) % FORMS.len()] {
        "register" => {
            let f: RegisterFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/i/t/register");
            let (username, problems) = invitation::register_problems(&f);
            if problems.is_empty() {
                let again: RegisterFields = decode(&encode(&[
                    ("csrf", &f.csrf),
                    ("lang", &f.lang),
                    ("username", &username),
                    ("password", &f.password),
                    ("password_confirm", &f.password_confirm),
                ]));
                let (u, p) = invitation::register_problems(&again);
                assert!(p.is_empty(), "accepted, then refused: {p:?}");
                assert_eq!(u, username);
            }
        }
        "decline" => {
            let f: DeclineFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/i/t/decline");
        }
        "accept" => {
            let f: crate::pages::invitation::accept::AcceptFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/i/t/sign-in");
            username_key(&f.username);
            let _ = f.password;
        }
        "sign_in" => {
            let f: crate::pages::member::sign_in::SignInFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/me/sign-in");
            username_key(&f.username);
            let _ = f.password;
        }
        "details" => {
            use crate::pages::member::profile::{clean_email, clean_mobile, clean_name};
            let f: crate::pages::member::profile::DetailsFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/me/details");
            if let (Some(name), Some(mobile), Some(email)) = (
                clean_name(&f.name),
                clean_mobile(&f.mobile),
                clean_email(&f.email),
            ) {
                assert!(!name.chars().any(crate::render::forbidden_in_text));
                let again: crate::pages::member::profile::DetailsFields = decode(&encode(&[
                    ("csrf", &f.csrf),
                    ("name", &name),
                    ("mobile", &mobile),
                    ("email", &email),
                ]));
                assert_eq!(clean_name(&again.name).as_deref(), Some(name.as_str()));
                assert_eq!(
                    clean_mobile(&again.mobile).as_deref(),
                    Some(mobile.as_str())
                );
                assert_eq!(clean_email(&again.email).as_deref(), Some(email.as_str()));
            }
        }
        "password" => {
            let f: crate::pages::member::password::PasswordFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/me/password");
            new_password(&f.password, &f.password_confirm);
            let _ = f.current_password;
        }
        "sign_out" => {
            let f: crate::pages::member::sign_in::SignOutFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/me/sign-out");
        }
        "reset" => {
            let f: crate::pages::reset::ResetFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/r/t");
            new_password(&f.password, &f.password_confirm);
        }
        "join" => {
            let mut f: JoinFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/j/t");
            join::normalize(&mut f);
            if join::problems(&f, required).is_empty() {
                let mut again: JoinFields = decode(&encode(&[
                    ("csrf", &f.csrf),
                    ("name", &f.name),
                    ("email", &f.email),
                    ("mobile", &f.mobile),
                    ("employee_id", &f.employee_id),
                    ("work_location", &f.work_location),
                    ("username", &f.username),
                    ("password", &f.password),
                    ("password_confirm", &f.password_confirm),
                ]));
                join::normalize(&mut again);
                let p = join::problems(&again, required);
                assert!(p.is_empty(), "accepted, then refused: {p:?}");
                assert_eq!(
                    (&again.name, &again.email, &again.mobile, &again.username),
                    (&f.name, &f.email, &f.mobile, &f.username)
                );
                assert!(!f.name.chars().any(crate::render::forbidden_in_text));
            }
        }
        "join_code" => {
            let f: JoinFields = decode(body);
            lang_and_csrf(&f.lang, &f.csrf, "/join");
            if let Some(code) = crate::joining::normalize_code(&f.code) {
                assert_eq!(code.len(), crate::joining::CODE_LEN);
                assert_eq!(
                    crate::joining::normalize_code(&code).as_deref(),
                    Some(code.as_str())
                );
            }
        }
        other => unreachable!("{other}"),
    }
}

/// A typed username as sign-in looks it up: the key of a key is itself.
fn username_key(typed: &str) {
    let key = crate::store::username_key(typed.trim());
    assert_eq!(crate::store::username_key(&key), key, "{typed:?}");
}

/// A new password and its confirmation, for a member called `ann.lee`: accepted ones stay
/// accepted once sent again.
fn new_password(password: &str, confirm: &str) {
    let ok = pages::password_problems(password, "ann.lee").is_empty() && password == confirm;
    if ok {
        let again: crate::pages::reset::ResetFields = decode(&encode(&[
            ("password", password),
            ("password_confirm", confirm),
        ]));
        assert!(pages::password_problems(&again.password, "ann.lee").is_empty());
        assert_eq!(again.password, again.password_confirm);
    }
}

/// Reads a configuration as the gateway does at start; one that loads passes its checks
/// again, reads the same a second time, and gives the server its settings and limits.
/// Nothing is opened, bound or read from disk.
pub fn config(text: &str) {
    match Config::from_toml(text) {
        Ok(c) => {
            c.validate()
                .expect("a loaded configuration validates again");
            let again = Config::from_toml(text).expect("and loads again");
            assert_eq!(format!("{c:?}"), format!("{again:?}"));
            let networks = c.server.trusted_networks().expect("validated");
            let trusted = TrustedProxies::new(networks, c.server.client_address_header);
            let _ = crate::server::Settings::new(&c.server, trusted);
            let _ = RateLimiter::new(c.limits.form_posts_per_minute, 60);
            let _ = RateLimiter::new(c.limits.invitations_per_minute, 60);
            let _ = RateLimiter::new(c.limits.messages_per_recipient_per_hour, 3600);
            let _ = c.mail.from_address();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
