//! The status page a person who asked to join keeps (`/j/status/{token}`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use orgdesk_protocol::JoinRequestStatus;

use crate::i18n::{fill, Lang, Texts};
use crate::pages::{internal_error, message, unknown_page, LinkVisit};
use crate::{joining, secrets, Shared};

fn unknown_status(state: &Shared, lang: Lang, path: &str) -> Response {
    unknown_page(state, lang, path, ["not_found_title", "unknown_body"])
}

pub(crate) async fn status(State(state): State<Shared>, link: LinkVisit) -> Response {
    let LinkVisit { token, visit } = link;
    let lang = visit.lang();
    let path = format!("/j/status/{token}");
    let Some(raw) = secrets::decode_token(&token) else {
        return unknown_status(&state, lang, &path);
    };
    let view = match state
        .store
        .join_request_by_status_token(joining::link_hash(&raw))
        .await
    {
        Ok(Some(view)) => view,
        Ok(None) => return unknown_status(&state, lang, &path),
        Err(e) => return internal_error(&state, lang, &path, &e),
    };
    if let Some(reason) = &view.refused_reason {
        let body = fill(lang.t("registration_refused_body"), &[("reason", reason)]);
        return message(
            &state,
            lang,
            StatusCode::OK,
            &path,
            "refused",
            lang.t("registration_refused_title"),
            &body,
        );
    }
    let (kind, title, body) = match view.status {
        JoinRequestStatus::Pending => (
            "pending",
            "join_status_pending_title",
            "join_status_pending_body",
        ),
        JoinRequestStatus::Approved => (
            "approved",
            "join_status_approved_title",
            "join_status_approved_body",
        ),
        JoinRequestStatus::Rejected => (
            "rejected",
            "join_status_rejected_title",
            "join_status_rejected_body",
        ),
    };
    let body = fill(
        lang.t(body),
        &[
            ("organization", &view.organization_name),
            ("username", &view.username),
        ],
    );
    message(
        &state,
        lang,
        StatusCode::OK,
        &path,
        kind,
        lang.t(title),
        &body,
    )
}
