//! Sending password reset messages (mail or text) from the shared outbox: claimed, sent and
//! recorded like invitations, with the same lease and backoff.

use super::{deliver_next, lease, link_token, send_and_record, send_by_channel, Claimed};
use crate::mail::{DeliveryError, Mailer};
use crate::mail_reset::compose_reset;
use crate::secrets;
use crate::sms::{reset_text, SmsSender};
use crate::store::{ResetOutboxItem, Sends};
use crate::Shared;

/// Sends the next reset message that is due, if any; `true` when there was one (so the
/// worker looks again at once).
pub(crate) async fn deliver_due_reset(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
) -> bool {
    deliver_next(
        state.store.claim_due_reset_message(lease(state, owner)),
        |item| deliver(state, owner, mailer, sms, item),
        "outbox: cannot read due reset messages",
    )
    .await
}

async fn deliver(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: ResetOutboxItem,
) {
    // A reset's delivery event does not say whether the mail was kept in the gateway's folder.
    let claimed = Claimed {
        sends: Sends::Reset,
        outbox_id: item.id,
        attempts: item.attempts,
        kept: false,
        subject_id: &item.subject.id,
        resumed: item.resumed,
    };
    send_and_record(state, owner, claimed, send(state, mailer, sms, &item)).await;
}

async fn send(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &ResetOutboxItem,
) -> Result<String, DeliveryError> {
    let token = link_token(state, &item.sealed_token, item.expires_at)?;
    let link = state.reset_link(&secrets::encode(&token));
    let reset = &item.subject;
    send_by_channel(
        mailer,
        sms,
        (reset.channel, &reset.recipient),
        || {
            let from = state.config.mail.from_address();
            compose_reset(
                &state.templates,
                from,
                reset,
                item.id,
                &link,
                item.expires_at,
            )
        },
        || reset_text(reset, &link, item.expires_at),
        "link resets are not sent",
    )
    .await
}
