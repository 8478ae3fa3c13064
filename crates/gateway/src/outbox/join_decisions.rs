//! Telling a person who asked to join, by mail, how the organization decided: claimed, sent
//! and recorded like invitations, with the same lease and backoff.

use super::{deliver_next, lease_secs, send_and_record, send_mail, Claimed};
use crate::mail::Mailer;
use crate::store::{JoinDecisionOutboxItem, SendEnd, Sends};
use crate::Shared;

/// Sends the next join decision message that is due, if any; `true` when there was one (so
/// the worker looks again at once).
pub(crate) async fn deliver_due_join_decision(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
) -> bool {
    deliver_next(
        state
            .store
            .claim_due_join_decision(state.clock.now_secs(), lease_secs(state), owner),
        |item| deliver(state, owner, mailer, item),
        "outbox: cannot read due join decision messages",
    )
    .await
}

async fn deliver(state: &Shared, owner: &str, mailer: &dyn Mailer, item: JoinDecisionOutboxItem) {
    let id = item.request.request_id.clone();
    if item.resumed {
        tracing::warn!(join_request = %id, "outbox: resuming a send whose outcome was never recorded");
    }
    let claimed = Claimed {
        sends: Sends::JoinDecision,
        outbox_id: item.id,
        attempts: item.attempts,
        kept: mailer.keeps_messages(),
    };
    let log = |end: &SendEnd, attempts: u32, wait: u64| match end {
        SendEnd::Sent { message_id, .. } => {
            tracing::info!(join_request = %id, %message_id, "join decision delivered");
            "join decision sent"
        }
        SendEnd::Retry { error: reason, .. } => {
            tracing::warn!(join_request = %id, attempts, wait, %reason, "join decision delivery failed; will retry");
            "join decision retry"
        }
        SendEnd::GaveUp { error: reason } => {
            tracing::warn!(join_request = %id, attempts, %reason, "join decision delivery failed; giving up");
            "join decision failed"
        }
    };
    let composed = crate::mail_join::compose_join_decision(
        &state.templates,
        state.config.mail.from_address(),
        &item,
        &state.member_page_link(),
    );
    send_and_record(state, owner, claimed, send_mail(mailer, composed), log).await;
}
