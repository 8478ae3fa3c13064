//! What every page with a form does the same way: showing the form with its CSRF cookie,
//! taking a post only past the CSRF check and the rate limit, keeping the browser's cookie
//! when the form comes back with problems, and the checks of a new password.

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;

use super::{cookie, csrf_cookie, csrf_cookie_name, password_problems, pick_lang, refuse_post};
use super::{with_cookie, Lang};
use crate::i18n::Texts;
use crate::Shared;

/// The fields every form posts besides its own: the CSRF token and the language.
pub(crate) trait Posted: Default {
    fn csrf(&self) -> &str;
    fn lang(&self) -> &str;
}

/// Declares a form's fields: the CSRF token and the language every form posts, then its own;
/// all text, each empty when the post leaves it out (an unreadable body is an empty form).
macro_rules! fields {
    ($(#[$meta:meta])* $name:ident { $($field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(default)]
        pub(crate) struct $name {
            pub(crate) csrf: String,
            pub(crate) lang: String,
            $(pub(crate) $field: String,)*
        }

        impl $crate::pages::form::Posted for $name {
            fn csrf(&self) -> &str {
                &self.csrf
            }
            fn lang(&self) -> &str {
                &self.lang
            }
        }
    };
}
pub(crate) use fields;

/// A post's fields (an unreadable body is an empty form) and language, once its CSRF token
/// and the client's rate have passed for the form at `path`; otherwise the page that refuses
/// it.
// The `Err` is the page sent back at once, as for every page handler (`PageResult`).
#[allow(clippy::result_large_err)]
pub(crate) fn accept_post<F: Posted>(
    state: &Shared,
    path: &str,
    headers: &HeaderMap,
    peer: SocketAddr,
    form: Result<Form<F>, FormRejection>,
) -> Result<(F, Lang), Response> {
    let Form(f) = form.unwrap_or_default();
    let lang = pick_lang(Some(f.lang()), headers);
    match refuse_post(state, lang, path, headers, peer, f.csrf()) {
        Some(refused) => Err(refused),
        None => Ok((f, lang)),
    }
}

/// The CSRF cookie the browser posted with the form, so that a form shown again keeps it.
pub(crate) fn posted_cookie(state: &Shared, headers: &HeaderMap) -> String {
    cookie(headers, csrf_cookie_name(state)).unwrap_or_default()
}

/// A page with a form: `render` gets the browser's CSRF cookie (or a new one, then set).
pub(crate) fn with_csrf(
    state: &Shared,
    headers: &HeaderMap,
    render: impl FnOnce(&str) -> Response,
) -> Response {
    let (csrf, is_new) = csrf_cookie(state, headers);
    let response = render(&csrf);
    with_cookie(state, response, &csrf, is_new)
}

/// The texts of translation keys, in the page's language.
pub(crate) fn texts(lang: Lang, keys: Vec<&'static str>) -> Vec<&'static str> {
    keys.into_iter().map(|k| lang.t(k)).collect()
}

/// Translation keys of what is wrong with a new password typed twice: the shared policy
/// (against `username`), then the confirmation.
pub(crate) fn new_password_problems(
    password: &str,
    confirm: &str,
    username: &str,
) -> Vec<&'static str> {
    let mut problems = password_problems(password, username);
    if password != confirm {
        problems.push("err_password_mismatch");
    }
    problems
}
