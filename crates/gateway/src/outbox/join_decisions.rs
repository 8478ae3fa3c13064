//! Telling a person who asked to join, by mail, how the organization decided: claimed, sent
//! and recorded like invitations, with the same lease and backoff.

use super::{deliver_next, lease, send_and_record, send_mail, Claimed};
use crate::mail::Mailer;
use crate::store::{JoinDecisionOutboxItem, Sends};
use crate::Shared;

/// Sends the next join decision message that is due, if any; `true` when there was one (so
/// the worker looks again at once).
pub(crate) async fn deliver_due_join_decision(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
) -> bool {
    deliver_next(
        state.store.claim_due_join_decision(lease(state, owner)),
        |item| deliver(state, owner, mailer, item),
        "outbox: cannot read due join decision messages",
    )
    .await
}

async fn deliver(state: &Shared, owner: &str, mailer: &dyn Mailer, item: JoinDecisionOutboxItem) {
    let claimed = Claimed {
        sends: Sends::JoinDecision,
        outbox_id: item.id,
        attempts: item.attempts,
        kept: mailer.keeps_messages(),
        subject_id: &item.request.request_id,
        resumed: item.resumed,
    };
    let composed = crate::mail_join::compose_join_decision(
        &state.templates,
        state.config.mail.from_address(),
        &item,
        &state.member_page_link(),
    );
    send_and_record(state, owner, claimed, send_mail(mailer, composed)).await;
}
