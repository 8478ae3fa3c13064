//! The page behind a password reset link (`/r/{token}`): the new password twice, under the
//! same policy as registration. A link that cannot be used gets a page saying which case it
//! is, like invitation links.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use minijinja::context;
use orgdesk_protocol::AccountState;

use crate::i18n::{fill, Lang, Texts};
use crate::pages::form::LinkFormPost;
use crate::pages::member::{hash_password, member_message, Notice};
use crate::pages::{find_link, form, internal_error, page, LinkVisit, PageResult, Resolved};
use crate::render::format_time;
use crate::store::{ResetConsumption, ResetLookup};
use crate::Shared;

/// What a reset link leads to.
enum ResetLink {
    Valid(ResetLookup),
    Unknown,
    Expired(i64),
    Used,
    Replaced,
    Disabled,
}

async fn resolve(state: &Shared, token: &str) -> Resolved<ResetLink> {
    let (found, hash) = find_link(state, token, |h| state.store.lookup_reset(h)).await?;
    let Some(found) = found else {
        return Ok((ResetLink::Unknown, hash));
    };
    let link = if found.used {
        ResetLink::Used
    } else if found.account_state != AccountState::Enabled {
        // Said before "replaced": disabling an account also voids its links.
        ResetLink::Disabled
    } else if found.revoked {
        ResetLink::Replaced
    } else if found.expires_at <= state.clock.now_secs() {
        ResetLink::Expired(found.expires_at)
    } else {
        ResetLink::Valid(found)
    };
    Ok((link, hash))
}

fn link_problem(state: &Shared, lang: Lang, path: &str, link: &ResetLink) -> Response {
    let (kind, title, body, status) = match link {
        ResetLink::Valid(_) | ResetLink::Unknown => (
            "unknown",
            "reset_unknown_title",
            lang.t("reset_unknown_body").to_owned(),
            StatusCode::NOT_FOUND,
        ),
        ResetLink::Expired(at) => (
            "expired",
            "reset_expired_title",
            fill(lang.t("reset_expired_body"), &[("date", &format_time(*at))]),
            StatusCode::GONE,
        ),
        ResetLink::Used => (
            "used",
            "reset_used_title",
            lang.t("reset_used_body").to_owned(),
            StatusCode::GONE,
        ),
        ResetLink::Replaced => (
            "replaced",
            "reset_replaced_title",
            lang.t("reset_replaced_body").to_owned(),
            StatusCode::GONE,
        ),
        ResetLink::Disabled => (
            "disabled",
            "account_disabled_title",
            lang.t("account_disabled_body").to_owned(),
            StatusCode::GONE,
        ),
    };
    member_message(
        state,
        lang,
        status,
        path,
        Notice {
            kind,
            title: lang.t(title),
            body: &body,
            link: None,
        },
    )
}

fn render_form(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    path: &str,
    found: &ResetLookup,
    csrf_cookie: &str,
    errors: &[&str],
) -> Response {
    let intro = fill(
        lang.t("reset_intro"),
        &[
            ("username", &found.reset.username),
            ("organization", &found.reset.organization_name),
        ],
    );
    let extra = context! {
        intro => intro,
        action => path,
        csrf => state.pepper.csrf_token(csrf_cookie, path),
        errors => errors,
    };
    page(
        state,
        lang,
        status,
        "reset.html",
        path,
        lang.t("reset_title"),
        extra,
    )
}

pub(crate) async fn reset_form(State(state): State<Shared>, link: LinkVisit) -> Response {
    let LinkVisit { token, visit } = link;
    let (lang, headers) = (visit.lang(), &visit.headers);
    let path = format!("/r/{token}");
    let found = match resolve(&state, &token).await {
        Ok((ResetLink::Valid(found), _)) => found,
        Ok((link, _)) => return link_problem(&state, lang, &path, &link),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    form::with_csrf(&state, headers, |csrf| {
        render_form(&state, lang, StatusCode::OK, &path, &found, csrf, &[])
    })
}

form::fields! {
    ResetFields { password, password_confirm }
}

pub(crate) async fn reset(form: LinkFormPost<ResetFields>) -> PageResult {
    let LinkFormPost { state, token, post } = form;
    let path = format!("/r/{token}");
    let post = post.accept(&state, &path)?;
    Ok(submit(&state, post.lang, &path, &token, &post.headers, post.fields).await)
}

async fn submit(
    state: &Shared,
    lang: Lang,
    path: &str,
    token: &str,
    headers: &HeaderMap,
    f: ResetFields,
) -> Response {
    let (found, hash) = match resolve(state, token).await {
        Ok((ResetLink::Valid(found), Some(hash))) => (found, hash),
        Ok((link, _)) => return link_problem(state, lang, path, &link),
        Err(e) => return internal_error(state, lang, path, &e),
    };
    let username = &found.reset.username;
    let problems = form::new_password_problems(&f.password, &f.password_confirm, username);
    if !problems.is_empty() {
        let csrf = form::posted_cookie(state, headers);
        let errors = form::texts(lang, problems);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_form(state, lang, status, path, &found, &csrf, &errors);
    }
    let password_hash = match hash_password(f.password).await {
        Ok(h) => h,
        Err(e) => return internal_error(state, lang, path, &e),
    };
    match state
        .store
        .consume_reset(
            ResetConsumption {
                token_hash: hash,
                password_hash,
            },
            state.clock.now_secs(),
        )
        .await
    {
        Ok(Some(_)) => {
            state.ring_events();
            let me = format!("/me?lang={}", lang.code());
            member_message(
                state,
                lang,
                StatusCode::OK,
                path,
                Notice {
                    kind: "password_changed",
                    title: lang.t("reset_done_title"),
                    body: lang.t("reset_done_body"),
                    link: Some((&me, lang.t("go_sign_in"))),
                },
            )
        }
        // Used, voided or expired in the meantime: say which.
        Ok(None) => match resolve(state, token).await {
            Ok((ResetLink::Valid(_), _)) => link_problem(state, lang, path, &ResetLink::Unknown),
            Ok((link, _)) => link_problem(state, lang, path, &link),
            Err(e) => internal_error(state, lang, path, &e),
        },
        Err(e) => internal_error(state, lang, path, &e),
    }
}
