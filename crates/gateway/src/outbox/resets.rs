//! Sending password reset messages (mail or text) from the shared outbox: claimed, sent and
//! recorded like invitations, with the same lease and backoff.

use orgdesk_protocol::Channel;

use super::{deliver_next, lease_secs, link_token, send_and_record, send_mail, send_text, Claimed};
use crate::mail::{DeliveryError, Mailer};
use crate::secrets;
use crate::sms::SmsSender;
use crate::store::{ResetOutboxItem, SendEnd, Sends};
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
        state
            .store
            .claim_due_reset_message(state.clock.now_secs(), lease_secs(state), owner),
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
    if item.resumed {
        tracing::warn!(reset = %item.reset.id, "outbox: resuming a send whose outcome was never recorded");
    }
    let claimed = Claimed {
        sends: Sends::Reset,
        outbox_id: item.id,
        attempts: item.attempts,
        kept: item.reset.channel == Channel::Email && mailer.keeps_messages(),
    };
    let id = &item.reset.id;
    let log = |end: &SendEnd, attempts: u32, wait: u64| match end {
        SendEnd::Sent { message_id, .. } => {
            tracing::info!(reset = %id, %message_id, "password reset delivered");
            "reset sent"
        }
        SendEnd::Retry { error: reason, .. } => {
            tracing::warn!(reset = %id, attempts, wait, %reason, "reset delivery failed; will retry");
            "reset retry"
        }
        SendEnd::GaveUp { error: reason } => {
            tracing::warn!(reset = %id, attempts, %reason, "reset delivery failed; giving up");
            "reset failed"
        }
    };
    let send = send(state, mailer, sms, &item);
    send_and_record(state, owner, claimed, send, log).await;
}

async fn send(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &ResetOutboxItem,
) -> std::result::Result<String, DeliveryError> {
    let token = link_token(state, &item.sealed_token, item.expires_at)?;
    let link = state.reset_link(&secrets::encode(&token));
    let reset = &item.reset;
    match reset.channel {
        Channel::Email => {
            let from = state.config.mail.from_address();
            let composed = crate::mail_reset::compose_reset(
                &state.templates,
                from,
                reset,
                item.id,
                &link,
                item.expires_at,
            );
            send_mail(mailer, composed).await
        }
        Channel::Sms => {
            let text = crate::sms::reset_text(reset, &link, item.expires_at);
            send_text(sms, &reset.recipient, text).await
        }
        Channel::Link => Err(DeliveryError::Permanent("link resets are not sent".into())),
    }
}
