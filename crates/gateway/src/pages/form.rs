//! What every page with a form does the same way: showing the form with its CSRF cookie,
//! taking a post only past the CSRF check and the rate limit, keeping the browser's cookie
//! when the form comes back with problems, and the checks of a new password.

use std::net::SocketAddr;

use axum::extract::rejection::ExtensionRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::de::DeserializeOwned;

use super::{cookie, csrf_cookie, csrf_cookie_name, password_problems, pick_lang, refuse_post};
use super::{with_cookie, Lang};
use crate::i18n::Texts;
use crate::{PeerAddr, Shared};

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

/// A form as it was posted: its fields (an unreadable body is an empty form), the request's
/// headers and the client's address. A handler looks at nothing of it before
/// [`FormPost::accept`] lets it pass.
pub(crate) struct FormPost<F> {
    fields: F,
    headers: HeaderMap,
    peer: SocketAddr,
}

/// A post that passed the CSRF check and the client's rate limit, with its language.
pub(crate) struct Accepted<F> {
    pub(crate) fields: F,
    pub(crate) lang: Lang,
    pub(crate) headers: HeaderMap,
    pub(crate) peer: SocketAddr,
}

impl<S, F> FromRequest<S> for FormPost<F>
where
    S: Send + Sync,
    F: Posted + DeserializeOwned,
{
    type Rejection = ExtensionRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let ConnectInfo(PeerAddr(peer)) =
            ConnectInfo::<PeerAddr>::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let form = Form::<F>::from_request(Request::from_parts(parts, body), state).await;
        let fields = form.map(|Form(fields)| fields).unwrap_or_default();
        Ok(Self {
            fields,
            headers,
            peer,
        })
    }
}

/// A form posted to a page behind a link that carries a token in its path (`/i/{token}/…`,
/// `/j/{token}`, `/r/{token}`): the gateway's state, the token and the post.
pub(crate) struct LinkFormPost<F> {
    pub(crate) state: Shared,
    pub(crate) token: String,
    pub(crate) post: FormPost<F>,
}

impl<F> FromRequest<Shared> for LinkFormPost<F>
where
    F: Posted + DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &Shared) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Path(token) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let post = FormPost::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            state: state.clone(),
            token,
            post,
        })
    }
}

impl<F: Posted> FormPost<F> {
    /// The post, once its CSRF token and the client's rate have passed for the form at
    /// `path`; otherwise the page that refuses it.
    // The `Err` is the page sent back at once, as for every page handler (`PageResult`).
    #[allow(clippy::result_large_err)]
    pub(crate) fn accept(self, state: &Shared, path: &str) -> Result<Accepted<F>, Response> {
        let Self {
            fields,
            headers,
            peer,
        } = self;
        let lang = pick_lang(Some(fields.lang()), &headers);
        if let Some(refused) = refuse_post(state, lang, path, &headers, peer, fields.csrf()) {
            return Err(refused);
        }
        Ok(Accepted {
            fields,
            lang,
            headers,
            peer,
        })
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
