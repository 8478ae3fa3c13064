//! The pages behind invitation links (`/i/{token}`): the invitation, the register form and
//! declining. Accepting with an account the invitee already has is in [`accept`].

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::{
    cookie, csrf_cookie, csrf_cookie_name, internal_error, message, page, password_problems,
    pick_lang, refuse_post, username_ok, with_cookie, LangQuery,
};
use crate::error::GatewayError;
use crate::i18n::{fill, Lang, Texts};
use crate::render::format_time;
use crate::secrets;
use crate::store::{ConsumeOutcome, InvitationState, TokenLookup};
use crate::{PeerAddr, Shared};

pub(crate) mod accept;

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
        InvitationState::Pending if found.expires_at <= state.clock.now_secs() => {
            Link::Expired(found)
        }
        InvitationState::Pending => Link::Valid(found),
    };
    Ok((link, Some(hash)))
}

/// The invitation behind a link that can still be used, and the link's hash; otherwise the
/// page that says why it cannot (or that looking it up failed).
pub(crate) async fn usable(
    state: &Shared,
    lang: Lang,
    token: &str,
    path: &str,
) -> Result<(TokenLookup, [u8; 32]), Response> {
    match resolve(state, token).await {
        Ok((Link::Valid(found), Some(hash))) => Ok((found, hash)),
        Ok((link, _)) => Err(link_problem(state, lang, path, &link)),
        Err(e) => Err(internal_error(state, lang, path, &e)),
    }
}

/// The page for a link that someone else used, cancelled or replaced while a form was being
/// sent: says which.
pub(crate) async fn gone_meanwhile(
    state: &Shared,
    lang: Lang,
    token: &str,
    path: &str,
) -> Response {
    match resolve(state, token).await {
        Ok((link, _)) if !matches!(link, Link::Valid(_)) => link_problem(state, lang, path, &link),
        Ok(_) => link_problem(state, lang, path, &Link::Unknown),
        Err(e) => internal_error(state, lang, path, &e),
    }
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

pub(crate) async fn invitation(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}");
    let (found, _) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    let inv = &found.invitation;
    match state
        .store
        .mark_opened(&inv.id, state.clock.now_secs())
        .await
    {
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

/// What the register and sign-in forms show besides the page frame.
pub(crate) struct FormView<'a> {
    token: &'a str,
    found: &'a TokenLookup,
    csrf_cookie: &'a str,
    username: &'a str,
    errors: &'a [&'a str],
}

fn render_register(state: &Shared, lang: Lang, status: StatusCode, view: FormView<'_>) -> Response {
    let FormView {
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

pub(crate) async fn register_form(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}/register");
    let (found, _) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    let (csrf, is_new) = csrf_cookie(&state, &headers);
    let response = render_register(
        &state,
        lang,
        StatusCode::OK,
        FormView {
            token: &token,
            found: &found,
            csrf_cookie: &csrf,
            username: "",
            errors: &[],
        },
    );
    with_cookie(&state, response, &csrf, is_new)
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

pub(crate) async fn register(
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
    let (found, hash) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    let cookie_value = cookie(&headers, csrf_cookie_name(&state)).unwrap_or_default();
    let (username, problems) = register_problems(&f);
    let errors: Vec<&str> = problems.into_iter().map(|k| lang.t(k)).collect();
    if !errors.is_empty() {
        return render_register(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormView {
                token: &token,
                found: &found,
                csrf_cookie: &cookie_value,
                username: &username,
                errors: &errors,
            },
        );
    }

    // Argon2id with OWASP's parameters takes tens of milliseconds: keep it off the reactor.
    let password_hash = match crate::pages::member::hash_password(f.password).await {
        Ok(h) => h,
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    match state
        .store
        .register(hash, &username, &password_hash, state.clock.now_secs())
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
            FormView {
                token: &token,
                found: &found,
                csrf_cookie: &cookie_value,
                username: &username,
                errors: &[lang.t("err_username_taken")],
            },
        ),
        // Someone else used, cancelled or replaced the link in the meantime: say which.
        Ok(ConsumeOutcome::NotUsable | ConsumeOutcome::AccountUnavailable) => {
            gone_meanwhile(&state, lang, &token, &path).await
        }
        Err(e) => internal_error(&state, lang, &path, &e),
    }
}

pub(crate) async fn decline_form(
    State(state): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let path = format!("/i/{token}/decline");
    let (found, _) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
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

pub(crate) async fn decline(
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
    let (found, hash) = match usable(&state, lang, &token, &path).await {
        Ok(usable) => usable,
        Err(page) => return page,
    };
    match state.store.decline(hash, state.clock.now_secs()).await {
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
        Ok(_) => gone_meanwhile(&state, lang, &token, &path).await,
        Err(e) => internal_error(&state, lang, &path, &e),
    }
}
