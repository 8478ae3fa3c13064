//! The pages behind invitation links (`/i/{token}`): the invitation, the register form and
//! declining. Accepting with an account the invitee already has is in [`accept`].

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::{
    find_link, form, internal_error, message, page, pick_lang, username_ok, LinkVisit, PageResult,
    Resolved,
};
use crate::i18n::{fill, Lang, Texts};
use crate::pages::form::{Accepted, FormPost, LinkFormPost};
use crate::render::format_time;
use crate::store::{ConsumeOutcome, InvitationState, InviteeAccount, Registration, TokenLookup};
use crate::Shared;

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

pub(crate) async fn resolve(state: &Shared, token: &str) -> Resolved<Link> {
    let (found, hash) = find_link(state, token, |h| state.store.lookup_token(h)).await?;
    let Some(found) = found else {
        return Ok((Link::Unknown, hash));
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
    Ok((link, hash))
}

/// The invitation behind a link that can still be used, and the link's hash; otherwise the
/// page that says why it cannot (or that looking it up failed).
pub(crate) async fn usable(
    state: &Shared,
    lang: Lang,
    token: &str,
    path: &str,
) -> Result<(TokenLookup, [u8; 32]), Response> {
    usable_from(state, lang, path, resolve(state, token).await)
}

/// The invitation of a resolved link that can still be used, else the page saying why not.
/// The page is the error, as in every handler's `PageResult`.
#[allow(clippy::result_large_err)]
fn usable_from(
    state: &Shared,
    lang: Lang,
    path: &str,
    resolved: Resolved<Link>,
) -> Result<(TokenLookup, [u8; 32]), Response> {
    match resolved {
        Ok((Link::Valid(found), Some(hash))) => Ok((found, hash)),
        Ok((link, _)) => Err(link_problem(state, lang, path, &link)),
        Err(e) => Err(internal_error(state, lang, path, &e)),
    }
}

/// A link's page language and, when it can still be used, its invitation (else the page
/// that says why not). `?lang=` (the page's language switch, which the page's own links
/// carry on) wins; then the invitation's own language when the desktop named one (the admin
/// chose it and its mail or text message used it); else the reader's browser, as for an
/// invitation created without a language or a link that leads to no invitation.
pub(crate) async fn usable_in_its_language(
    state: &Shared,
    link: &LinkVisit,
    path: &str,
) -> Result<(Lang, TokenLookup), Response> {
    let resolved = resolve(state, &link.token).await;
    let own = match &resolved {
        Ok((Link::Valid(f) | Link::Expired(f) | Link::Used(f) | Link::Cancelled(f), _))
            if f.invitation.locale_chosen =>
        {
            Lang::parse(&f.invitation.locale)
        }
        _ => None,
    };
    let lang = link
        .visit
        .lang_asked
        .as_deref()
        .and_then(Lang::parse)
        .or(own)
        .unwrap_or_else(|| pick_lang(None, &link.visit.headers));
    let (found, _) = usable_from(state, lang, path, resolved)?;
    Ok((lang, found))
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

pub(crate) async fn invitation(State(state): State<Shared>, link: LinkVisit) -> PageResult {
    let path = format!("/i/{}", link.token);
    let (lang, found) = usable_in_its_language(&state, &link, &path).await?;
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
    Ok(page(
        &state,
        lang,
        StatusCode::OK,
        "invitation.html",
        &path,
        &heading,
        extra,
    ))
}

form::fields! {
    RegisterFields { username, password, password_confirm }
}

form::fields! {
    DeclineFields {}
}

/// One of the forms behind an invitation link that end with an account: registering, and
/// accepting with an account the invitee already has ([`accept`]).
pub(crate) struct LinkForm {
    /// The form's address after `/i/{token}/`.
    suffix: &'static str,
    template: &'static str,
    intro: &'static str,
    title: &'static str,
}

impl LinkForm {
    fn action(&self, token: &str) -> String {
        format!("/i/{token}/{}", self.suffix)
    }
}

const REGISTER: LinkForm = LinkForm {
    suffix: "register",
    template: "register.html",
    intro: "register_intro",
    title: "register_title",
};

/// What the register and sign-in forms show besides the page frame.
pub(crate) struct FormView<'a> {
    token: &'a str,
    found: &'a TokenLookup,
    csrf_cookie: &'a str,
    username: &'a str,
    errors: &'a [&'a str],
}

fn render_link_form(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    kind: &LinkForm,
    view: FormView<'_>,
) -> Response {
    let FormView {
        token,
        found,
        csrf_cookie,
        username,
        errors,
    } = view;
    let action = kind.action(token);
    let extra = context! {
        intro => fill(lang.t(kind.intro), &[("organization", &found.invitation.organization_name)]),
        action => &action,
        csrf => state.pepper.csrf_token(csrf_cookie, &action),
        username => username,
        errors => errors,
        back_href => format!("/i/{token}?lang={}", lang.code()),
    };
    page(
        state,
        lang,
        status,
        kind.template,
        &action,
        lang.t(kind.title),
        extra,
    )
}

/// The empty form behind a usable link.
async fn link_form(state: Shared, link: LinkVisit, kind: &LinkForm) -> PageResult {
    let path = kind.action(&link.token);
    let (lang, found) = usable_in_its_language(&state, &link, &path).await?;
    Ok(form::with_csrf(&state, &link.visit.headers, |csrf| {
        let view = FormView {
            token: &link.token,
            found: &found,
            csrf_cookie: csrf,
            username: "",
            errors: &[],
        };
        render_link_form(&state, lang, StatusCode::OK, kind, view)
    }))
}

pub(crate) async fn register_form(State(state): State<Shared>, link: LinkVisit) -> PageResult {
    link_form(state, link, &REGISTER).await
}

/// A post to a form behind a link, once it is accepted and the link is usable.
pub(crate) struct LinkPost<F> {
    fields: F,
    lang: Lang,
    found: TokenLookup,
    hash: [u8; 32],
    headers: HeaderMap,
    peer: SocketAddr,
}

/// Takes a post to the form at `path` behind the link `token`: refused as any form post is,
/// or with the page that says why the link cannot be used.
async fn link_post<F: form::Posted>(
    state: &Shared,
    token: &str,
    path: &str,
    post: FormPost<F>,
) -> Result<LinkPost<F>, Response> {
    let Accepted {
        fields,
        lang,
        headers,
        peer,
    } = post.accept(state, path)?;
    let (found, hash) = usable(state, lang, token, path).await?;
    Ok(LinkPost {
        fields,
        lang,
        found,
        hash,
        headers,
        peer,
    })
}

/// The page saying the invitee now has `username` in the invitation's organization.
fn registered(
    state: &Shared,
    lang: Lang,
    path: &str,
    found: &TokenLookup,
    username: &str,
    body_key: &str,
) -> Response {
    let org = &found.invitation.organization_name;
    let title = fill(lang.t("registered_title"), &[("organization", org)]);
    let body = fill(
        lang.t(body_key),
        &[("organization", org), ("username", username)],
    );
    message(
        state,
        lang,
        StatusCode::OK,
        path,
        "registered",
        &title,
        &body,
    )
}

/// The register form's username as it will be kept (trimmed), and the translation keys of
/// what is wrong with the form: the username's format, the password policy, the confirmation.
pub(crate) fn register_problems(f: &RegisterFields) -> (String, Vec<&'static str>) {
    let username = f.username.trim().to_owned();
    let mut problems = Vec::new();
    if !username_ok(&username) {
        problems.push("err_username_format");
    }
    problems.extend(form::new_password_problems(
        &f.password,
        &f.password_confirm,
        &username,
    ));
    (username, problems)
}

pub(crate) async fn register(form: LinkFormPost<RegisterFields>) -> PageResult {
    let LinkFormPost { state, token, post } = form;
    let path = REGISTER.action(&token);
    let LinkPost {
        fields: f,
        lang,
        found,
        hash,
        headers,
        ..
    } = link_post(&state, &token, &path, post).await?;
    let cookie_value = form::posted_cookie(&state, &headers);
    let (username, problems) = register_problems(&f);
    let reshow = |errors: &[&str]| {
        let view = FormView {
            token: &token,
            found: &found,
            csrf_cookie: &cookie_value,
            username: &username,
            errors,
        };
        render_link_form(
            &state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &REGISTER,
            view,
        )
    };
    if !problems.is_empty() {
        return Ok(reshow(&form::texts(lang, problems)));
    }

    // Argon2id with OWASP's parameters takes tens of milliseconds: keep it off the reactor.
    let password_hash = match crate::pages::member::hash_password(f.password).await {
        Ok(h) => h,
        Err(e) => return Ok(internal_error(&state, lang, &path, &e)),
    };
    Ok(
        match state
            .store
            .register(
                Registration {
                    token_hash: hash,
                    account: InviteeAccount::new_account(&username, &password_hash),
                },
                state.clock.now_secs(),
            )
            .await
        {
            Ok(ConsumeOutcome::Done { .. }) => {
                state.ring_events();
                registered(&state, lang, &path, &found, &username, "registered_body")
            }
            Ok(ConsumeOutcome::UsernameTaken) => reshow(&[lang.t("err_username_taken")]),
            // Someone else used, cancelled or replaced the link in the meantime: say which.
            Ok(ConsumeOutcome::NotUsable | ConsumeOutcome::AccountUnavailable) => {
                gone_meanwhile(&state, lang, &token, &path).await
            }
            Err(e) => internal_error(&state, lang, &path, &e),
        },
    )
}

pub(crate) async fn decline_form(State(state): State<Shared>, link: LinkVisit) -> PageResult {
    let token = &link.token;
    let path = format!("/i/{token}/decline");
    let (lang, found) = usable_in_its_language(&state, &link, &path).await?;
    let inv = &found.invitation;
    Ok(form::with_csrf(&state, &link.visit.headers, |csrf| {
        let extra = context! {
            intro => fill(lang.t("decline_intro"), &[("inviter", &inv.inviter_name), ("organization", &inv.organization_name)]),
            action => &path,
            csrf => state.pepper.csrf_token(csrf, &path),
            back_href => format!("/i/{token}?lang={}", lang.code()),
        };
        page(
            &state,
            lang,
            StatusCode::OK,
            "decline.html",
            &path,
            lang.t("decline_title"),
            extra,
        )
    }))
}

pub(crate) async fn decline(form: LinkFormPost<DeclineFields>) -> PageResult {
    let LinkFormPost { state, token, post } = form;
    let path = format!("/i/{token}/decline");
    let LinkPost {
        lang, found, hash, ..
    } = link_post(&state, &token, &path, post).await?;
    Ok(
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
        },
    )
}
