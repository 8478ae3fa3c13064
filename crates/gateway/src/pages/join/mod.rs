//! The pages for joining without an invitation: the public join link (`/j/{token}`), the
//! organization code (`/join`, then the same form), and the status page a person keeps
//! (`/j/status/{token}`). Same rules as the invitation pages: no JavaScript, both languages,
//! CSRF-bound forms, every value escaped by the templates. This file holds the form and the
//! link's pages; the code's pages are in [`code`], the status page in [`status`].

pub(crate) mod code;
pub(crate) mod status;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use orgdesk_protocol::{JoinField, JoinerDetails};
use serde::Serialize;

use super::{
    form, internal_error, message, page, unknown_page, username_ok, LinkVisit, PageResult,
};
use crate::i18n::{fill, Lang, Texts};
use crate::joining;
use crate::pages::form::LinkFormPost;
use crate::render::format_time;
use crate::secrets;
use crate::store::{JoinLinkRecord, JoinSecret, JoinSubmitOutcome, NewJoinRequest};
use crate::Shared;

form::fields! {
    JoinFields {
        code,
        name,
        email,
        mobile,
        employee_id,
        work_location,
        username,
        password,
        password_confirm,
    }
}

impl JoinFields {
    fn value(&self, field: JoinField) -> &str {
        match field {
            JoinField::Email => &self.email,
            JoinField::Mobile => &self.mobile,
            JoinField::EmployeeId => &self.employee_id,
            JoinField::WorkLocation => &self.work_location,
        }
    }
}

/// One input of the join form.
#[derive(Serialize)]
struct Input<'a> {
    name: &'static str,
    label: &'static str,
    value: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    max: usize,
    autocomplete: &'static str,
    hint: &'static str,
}

fn inputs<'a>(lang: Lang, rules: &JoinLinkRecord, f: &'a JoinFields) -> Vec<Input<'a>> {
    let mut out = vec![Input {
        name: "name",
        label: lang.t("join_name"),
        value: &f.name,
        kind: "text",
        max: orgdesk_rules::name::MAX_LEN,
        autocomplete: "name",
        hint: "",
    }];
    for field in &rules.rules.required_fields {
        let (label, kind, max, autocomplete, hint) = match field {
            JoinField::Email => ("join_email", "email", 254, "email", ""),
            JoinField::Mobile => ("join_mobile", "tel", 24, "tel", "join_mobile_hint"),
            JoinField::EmployeeId => ("join_employee_id", "text", 64, "off", ""),
            JoinField::WorkLocation => ("join_work_location", "text", 200, "off", ""),
        };
        out.push(Input {
            name: field.as_str(),
            label: lang.t(label),
            value: f.value(*field),
            kind,
            max,
            autocomplete,
            hint: if hint.is_empty() { "" } else { lang.t(hint) },
        });
    }
    out
}

/// Where the form posts and what proves the person may use it.
pub(super) enum Entry<'a> {
    Link(&'a str),
    Code(&'a str),
}

impl Entry<'_> {
    fn action(&self) -> String {
        match self {
            Entry::Link(token) => format!("/j/{token}"),
            Entry::Code(_) => "/join/request".to_owned(),
        }
    }
}

pub(super) struct FormView<'a> {
    entry: Entry<'a>,
    record: &'a JoinLinkRecord,
    csrf_cookie: &'a str,
    fields: &'a JoinFields,
    errors: &'a [&'a str],
}

pub(super) fn render_form(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    view: FormView<'_>,
) -> Response {
    let org = &view.record.rules.organization_name;
    let action = view.entry.action();
    let approval = view.record.rules.approval_required;
    let heading = fill(lang.t("join_heading"), &[("organization", org)]);
    let intro_key = if approval {
        "join_intro_approval"
    } else {
        "join_intro_open"
    };
    let code = match view.entry {
        Entry::Code(code) => code,
        Entry::Link(_) => "",
    };
    let extra = context! {
        heading => &heading,
        intro => fill(lang.t(intro_key), &[("organization", org)]),
        action => &action,
        csrf => state.pepper.csrf_token(view.csrf_cookie, &action),
        code => code,
        fields => inputs(lang, view.record, view.fields),
        username => view.fields.username.trim(),
        errors => view.errors,
        submit => lang.t(if approval { "join_submit_approval" } else { "join_submit_open" }),
    };
    page(
        state,
        lang,
        status,
        "join_form.html",
        &action,
        &heading,
        extra,
    )
}

pub(super) fn render_code_form(
    state: &Shared,
    lang: Lang,
    status: StatusCode,
    csrf_cookie: &str,
    code: &str,
    errors: &[&str],
) -> Response {
    let extra = context! {
        csrf => state.pepper.csrf_token(csrf_cookie, "/join"),
        code => code,
        errors => errors,
    };
    page(
        state,
        lang,
        status,
        "join_code.html",
        "/join",
        lang.t("code_title"),
        extra,
    )
}

fn unknown_link(state: &Shared, lang: Lang, path: &str) -> Response {
    unknown_page(
        state,
        lang,
        path,
        ["join_unknown_title", "join_unknown_body"],
    )
}

pub(super) fn expired_link(state: &Shared, lang: Lang, path: &str, at: i64) -> Response {
    message(
        state,
        lang,
        StatusCode::GONE,
        path,
        "expired",
        lang.t("join_expired_title"),
        &fill(lang.t("join_expired_body"), &[("date", &format_time(at))]),
    )
}

pub(super) fn locked_out(state: &Shared, lang: Lang, path: &str, until: i64) -> Response {
    message(
        state,
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        path,
        "locked",
        lang.t("code_locked_title"),
        &fill(lang.t("code_locked_body"), &[("date", &format_time(until))]),
    )
}

/// The expiry that makes a link unusable now, if any.
pub(super) fn expired_at(state: &Shared, record: &JoinLinkRecord) -> Option<i64> {
    record
        .rules
        .expires_at
        .filter(|at| *at <= state.clock.now_secs())
}

/// The link a token opens, or the page saying it opens nothing.
async fn find_by_token(
    state: &Shared,
    lang: Lang,
    token: &str,
    path: &str,
) -> Result<(JoinLinkRecord, [u8; 32]), Response> {
    let Some(raw) = secrets::decode_token(token) else {
        return Err(unknown_link(state, lang, path));
    };
    let hash = joining::link_hash(&raw);
    match state.store.find_join_link(JoinSecret::Link(hash)).await {
        Ok(Some(record)) => match expired_at(state, &record) {
            Some(at) => Err(expired_link(state, lang, path, at)),
            None => Ok((record, hash)),
        },
        Ok(None) => Err(unknown_link(state, lang, path)),
        Err(e) => Err(internal_error(state, lang, path, &e)),
    }
}

pub(crate) async fn link_form(State(state): State<Shared>, link: LinkVisit) -> PageResult {
    let LinkVisit { token, visit } = link;
    let lang = visit.lang();
    let path = format!("/j/{token}");
    let (record, _) = find_by_token(&state, lang, &token, &path).await?;
    Ok(form::with_csrf(&state, &visit.headers, |csrf| {
        empty_form(&state, lang, Entry::Link(&token), &record, csrf)
    }))
}

/// The join form as it first shows.
pub(super) fn empty_form(
    state: &Shared,
    lang: Lang,
    entry: Entry<'_>,
    record: &JoinLinkRecord,
    csrf_cookie: &str,
) -> Response {
    let view = FormView {
        entry,
        record,
        csrf_cookie,
        fields: &JoinFields::default(),
        errors: &[],
    };
    render_form(state, lang, StatusCode::OK, view)
}

pub(crate) async fn submit_by_link(form: LinkFormPost<JoinFields>) -> PageResult {
    let LinkFormPost { state, token, post } = form;
    let path = format!("/j/{token}");
    let post = post.accept(&state, &path)?;
    let (record, hash) = find_by_token(&state, post.lang, &token, &path).await?;
    Ok(submit(
        &state,
        post.lang,
        &post.headers,
        Entry::Link(&token),
        JoinSecret::Link(hash),
        &record,
        post.fields,
    )
    .await)
}

/// Checks the form and records the request; the form comes back with every problem.
/// The join form's values as they are checked and kept: trimmed, the mobile number without
/// the spaces, dashes and brackets people type.
pub(crate) fn normalize(f: &mut JoinFields) {
    f.name = f.name.trim().to_owned();
    f.username = f.username.trim().to_owned();
    f.email = f.email.trim().to_owned();
    f.mobile = joining::clean_mobile(&f.mobile);
    f.employee_id = f.employee_id.trim().to_owned();
    f.work_location = f.work_location.trim().to_owned();
}

/// Translation keys of what is wrong with a normalized join form, given the fields the
/// organization requires.
pub(crate) fn problems(f: &JoinFields, required: &[JoinField]) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if joining::clean_name(&f.name).is_none() {
        problems.push("err_join_name");
    }
    for field in required {
        if let Some(problem) = joining::field_problem(*field, f.value(*field)) {
            problems.push(problem);
        }
    }
    if !username_ok(&f.username) {
        problems.push("err_username_format");
    }
    problems.extend(form::new_password_problems(
        &f.password,
        &f.password_confirm,
        &f.username,
    ));
    problems
}

pub(super) async fn submit(
    state: &Shared,
    lang: Lang,
    headers: &HeaderMap,
    entry: Entry<'_>,
    secret: JoinSecret,
    record: &JoinLinkRecord,
    mut f: JoinFields,
) -> Response {
    let path = entry.action();
    let cookie_value = form::posted_cookie(state, headers);
    normalize(&mut f);
    let required = &record.rules.required_fields;
    let errors = form::texts(lang, problems(&f, required));
    let reshow = |f: &JoinFields, errors: &[&str]| {
        render_form(
            state,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormView {
                entry: match &entry {
                    Entry::Link(t) => Entry::Link(t),
                    Entry::Code(c) => Entry::Code(c),
                },
                record,
                csrf_cookie: &cookie_value,
                fields: f,
                errors,
            },
        )
    };
    if !errors.is_empty() {
        return reshow(&f, &errors);
    }

    let password_hash =
        match crate::pages::member::hash_password(std::mem::take(&mut f.password)).await {
            Ok(h) => h,
            Err(e) => return internal_error(state, lang, &path, &e),
        };
    let (status_token, status_text) = secrets::new_token();
    let given = |field: JoinField| required.contains(&field).then(|| f.value(field).to_owned());
    let new = NewJoinRequest {
        id: secrets::new_id("jr"),
        account_id: secrets::new_account_id(),
        secret,
        details: JoinerDetails::new(f.name.clone(), given),
        username: f.username.clone(),
        password_hash,
        status_token_sha256: joining::link_hash(&status_token),
        locale: lang.code().to_owned(),
    };
    match state
        .store
        .submit_join_request(new, state.clock.now_secs())
        .await
    {
        Ok(JoinSubmitOutcome::Done { approval_required }) => {
            state.ring_events();
            let org = &record.rules.organization_name;
            let values = [("organization", org.as_str()), ("username", &f.username)];
            let (kind, title, body) = if approval_required {
                (
                    "join_requested",
                    fill(lang.t("join_requested_title"), &values),
                    fill(lang.t("join_requested_body"), &values),
                )
            } else {
                (
                    "joined",
                    fill(lang.t("joined_title"), &values),
                    fill(lang.t("joined_body"), &values),
                )
            };
            let extra = context! {
                kind => kind,
                body => body,
                status_href => format!("{}/j/status/{status_text}", state.public_url),
            };
            page(
                state,
                lang,
                StatusCode::OK,
                "join_done.html",
                &path,
                &title,
                extra,
            )
        }
        Ok(JoinSubmitOutcome::UsernameTaken) => reshow(&f, &[lang.t("err_username_taken")]),
        Ok(JoinSubmitOutcome::NotUsable) => unknown_link(state, lang, &path),
        Err(e) => internal_error(state, lang, &path, &e),
    }
}
