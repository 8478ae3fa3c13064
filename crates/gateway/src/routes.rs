//! Every route the gateway answers, in one list: each path and method with the handler that
//! serves it (handlers live in their modules), then the fallback and the layers every request
//! passes through.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::middleware;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;

use crate::api::{accounts, changes, join as api_join, snapshot, team};
use crate::pages::{invitation, join, member, reset};
use crate::postmark::Bounce;
use crate::sms::SignatureCheck;
use crate::{api, health, metrics, pages, postmark, server, sms, Shared};

/// The provider webhooks the configuration switched on, with what each checks requests by.
pub(crate) struct Hooks {
    /// Postmark's bounce webhook: the SHA-256 of its Basic credentials.
    pub postmark_bounce: Option<[u8; 32]>,
    /// Twilio's delivery reports: the signature check.
    pub twilio_status: Option<Arc<SignatureCheck>>,
}

/// The whole router. The layer added last is the outermost: a request is counted for the
/// metrics first, then meets the security headers, then the client's address, then the
/// bounded body (which replaces axum's default body limit).
pub(crate) fn router(state: Shared, hooks: Hooks) -> Router {
    // Make the decoy hash now, so that the first unknown username does not pay for it.
    member::sign_in::warm_decoy_hash();
    let mut routes = Router::new()
        // Probes: the process, and the database behind it.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // The desktop's API: invitations and the event feed.
        .route("/api/v1/invitations", post(api::create_invitation))
        .route(
            "/api/v1/invitations/{id}/resend",
            post(api::resend_invitation),
        )
        .route(
            "/api/v1/invitations/{id}/cancel",
            post(api::cancel_invitation),
        )
        .route("/api/v1/events", get(api::events))
        .route("/api/v1/events/ack", post(api::ack_events))
        // The desktop's API: joining.
        .route(
            "/api/v1/join-link",
            get(api_join::get_link)
                .put(api_join::put_link)
                .delete(api_join::disable_link),
        )
        .route("/api/v1/join-link/rotate", post(api_join::rotate_link))
        .route(
            "/api/v1/join-requests/{id}/decision",
            post(api_join::decide),
        )
        // The desktop's API: accounts and password resets. One parameter name at this
        // position: the router allows no other.
        .route(
            "/api/v1/accounts/{account}/state",
            put(accounts::set_account_state),
        )
        .route("/api/v1/accounts/mirror", post(accounts::mirror_accounts))
        .route(
            "/api/v1/accounts/{account}/refusal",
            post(accounts::refuse_account),
        )
        .route(
            "/api/v1/password-resets",
            post(accounts::create_password_reset),
        )
        // The desktop's API: team mode's devices, their enrollment and the change log.
        .route(
            "/api/v1/team/devices",
            get(team::list_devices).post(team::register_device),
        )
        .route(
            "/api/v1/team/devices/{id}/revoke",
            post(team::revoke_device),
        )
        .route("/api/v1/team/enrollments", post(team::create_enrollment))
        .route("/api/v1/team/join", post(team::join))
        .route("/api/v1/changes", get(changes::read).post(changes::append))
        .route(
            orgdesk_protocol::SNAPSHOT_PATH,
            get(snapshot::get).put(snapshot::put),
        )
        // Invitation pages.
        .route("/i/{token}", get(invitation::invitation))
        .route(
            "/i/{token}/register",
            get(invitation::register_form).post(invitation::register),
        )
        .route(
            "/i/{token}/decline",
            get(invitation::decline_form).post(invitation::decline),
        )
        .route(
            "/i/{token}/sign-in",
            get(invitation::accept::accept_form).post(invitation::accept::accept),
        )
        .route("/static/gateway.css", get(pages::stylesheet))
        // Joining pages.
        .route(
            "/join",
            get(join::code::code_form).post(join::code::code_submit),
        )
        .route(
            "/join/request",
            get(join::code::code_form).post(join::code::submit_by_code),
        )
        .route(
            "/j/{token}",
            get(join::link_form).post(join::submit_by_link),
        )
        .route("/j/status/{token}", get(join::status::status))
        // The member's own page.
        .route(member::ME, get(member::profile::me))
        .route(member::SIGN_IN, post(member::sign_in::sign_in))
        .route(member::DETAILS, post(member::profile::details))
        .route(member::PASSWORD, post(member::password::password))
        .route(member::SIGN_OUT, post(member::sign_in::sign_out))
        // Password reset links.
        .route("/r/{token}", get(reset::reset_form).post(reset::reset));
    // Provider webhooks, only when configured.
    if let Some(expected) = hooks.postmark_bounce {
        routes = routes.route(
            "/hooks/postmark/bounce",
            post(
                move |state: State<Shared>,
                      headers: HeaderMap,
                      body: Result<Json<Bounce>, JsonRejection>| {
                    postmark::bounce(state, expected, headers, body)
                },
            ),
        );
    }
    if let Some(verifier) = hooks.twilio_status {
        routes = routes.route(
            sms::STATUS_CALLBACK_PATH,
            post(
                move |state: State<Shared>, headers: HeaderMap, body: Bytes| {
                    sms::status_report(state, verifier, headers, body)
                },
            ),
        );
    }
    routes
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            server::bounded_body,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            server::client_address,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            server::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::track,
        ))
        .with_state(state)
}
