//! The member's page itself (`/me`) and the form for the personal fields (name, mobile,
//! email).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use super::sign_in::render_sign_in;
use super::{
    current, me_location, see_other, session_hash, set_session_cookie, signed_in_post, DETAILS, ME,
    PASSWORD, SIGN_OUT,
};
use crate::i18n::{fill, Lang, Texts};
use crate::pages::form::FormPost;
use crate::pages::{form, internal_error, page, pick_lang, PageResult};
use crate::store::{DetailsSubmission, Member, PersonalDetails};
use crate::Shared;

/// What the member page shows in its forms: the stored values, or what was just submitted
/// when it comes back with problems.
pub(super) struct MeView<'a> {
    pub(super) name: &'a str,
    pub(super) mobile: &'a str,
    pub(super) email: &'a str,
    pub(super) notice: Option<&'a str>,
    pub(super) details_errors: &'a [&'a str],
    pub(super) password_errors: &'a [&'a str],
}

impl<'a> MeView<'a> {
    /// The member's stored values, no notice and no problems.
    pub(super) fn stored(member: &'a Member) -> Self {
        Self {
            name: &member.name,
            mobile: &member.mobile,
            email: &member.email,
            notice: None,
            details_errors: &[],
            password_errors: &[],
        }
    }
}

pub(super) fn render_me(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    headers: &HeaderMap,
    member: &Member,
    view: MeView<'_>,
) -> Response {
    form::with_csrf(state, headers, |csrf| {
        let token = |action: &str| state.pepper.csrf_token(csrf, action);
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
            must_change => member.must_change_password,
            details_errors => view.details_errors,
            password_errors => view.password_errors,
            details_action => DETAILS,
            details_csrf => token(DETAILS),
            password_action => PASSWORD,
            password_csrf => token(PASSWORD),
            sign_out_action => SIGN_OUT,
            sign_out_csrf => token(SIGN_OUT),
        };
        page(
            state,
            lang,
            status,
            "me.html",
            ME,
            lang.t("me_title"),
            extra,
        )
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MeQuery {
    lang: Option<String>,
    done: Option<String>,
}

pub(crate) async fn me(
    State(state): State<Shared>,
    Query(q): Query<MeQuery>,
    headers: HeaderMap,
) -> Response {
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
                notice: notice_key.filter(|k| *k != "signed_out").map(|k| lang.t(k)),
                ..MeView::stored(&member)
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

form::fields! {
    DetailsFields { name, mobile, email }
}

/// The name as it will be stored, or `None` if it breaks the rule (the join page's).
pub(crate) use crate::joining::clean_name;

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

/// An address by the desktop's rule (`orgdesk_rules::email`), trimmed; empty stays empty.
pub(crate) fn clean_email(email: &str) -> Option<String> {
    if email.trim().is_empty() {
        return Some(String::new());
    }
    orgdesk_rules::Email::parse(email)
        .ok()
        .map(orgdesk_rules::Email::into_string)
}

pub(crate) async fn details(
    State(state): State<Shared>,
    post: FormPost<DetailsFields>,
) -> PageResult {
    let (post, member, _) = signed_in_post(&state, post, DETAILS).await?;
    if member.must_change_password {
        // The page shows only the password form until the member has chosen their own.
        return Ok(render_me(
            &state,
            post.lang,
            StatusCode::CONFLICT,
            &post.headers,
            &member,
            MeView::stored(&member),
        ));
    }
    let (name, mobile, email) = (
        clean_name(&post.fields.name),
        clean_mobile(&post.fields.mobile),
        clean_email(&post.fields.email),
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
                errors.push(post.lang.t(key));
            }
        }
        return Ok(render_me(
            &state,
            post.lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &post.headers,
            &member,
            MeView {
                name: &post.fields.name,
                mobile: &post.fields.mobile,
                email: &post.fields.email,
                notice: None,
                details_errors: &errors,
                password_errors: &[],
            },
        ));
    };
    let changed = state
        .store
        .change_personal_details(
            DetailsSubmission {
                org_id: member.org_id.clone(),
                username_key: member.username_key.clone(),
                details: PersonalDetails {
                    name,
                    mobile,
                    email,
                },
            },
            state.clock.now_secs(),
        )
        .await;
    Ok(match changed {
        Ok(Some(_)) => {
            state.ring_events();
            see_other(me_location(post.lang, "details"))
        }
        Ok(None) => see_other(me_location(post.lang, "nothing")),
        Err(e) => internal_error(&state, post.lang, ME, &e),
    })
}
