//! Sending password reset messages (mail or text) from the shared outbox: claimed, sent and
//! recorded like invitations, with the same lease and backoff.

use orgdesk_protocol::Channel;

use super::{lease_secs, record, send_end, LeaseKeeper};
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
    match state
        .store
        .claim_due_reset_message(state.clock.now_secs(), lease_secs(state), owner)
        .await
    {
        Ok(Some(item)) => {
            deliver(state, owner, mailer, sms, item).await;
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::error!(error = %e, "outbox: cannot read due reset messages");
            false
        }
    }
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
    let _lease = LeaseKeeper::start(state, owner, item.id);
    let result = send(state, mailer, sms, &item).await;
    let now = state.clock.now_secs();
    let attempts = item.attempts + 1;
    let (end, wait) = send_end(state, result, attempts, now);
    let what = match &end {
        SendEnd::Sent { message_id } => {
            tracing::info!(reset = %item.reset.id, %message_id, "password reset delivered");
            "reset sent"
        }
        SendEnd::Retry { error: reason, .. } => {
            tracing::warn!(reset = %item.reset.id, attempts, wait, %reason, "reset delivery failed; will retry");
            "reset retry"
        }
        SendEnd::GaveUp { error: reason } => {
            tracing::warn!(reset = %item.reset.id, attempts, %reason, "reset delivery failed; giving up");
            "reset failed"
        }
    };
    let recorded = record(state, what, || {
        let end = end.clone();
        state.store.finish_send(Sends::Reset, item.id, end, now)
    })
    .await;
    if recorded {
        state.ring_events();
    }
}

async fn send(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &ResetOutboxItem,
) -> std::result::Result<String, DeliveryError> {
    let token = state.pepper.open(&item.sealed_token).ok_or_else(|| {
        DeliveryError::Permanent(
            "the stored link cannot be opened with this server's pepper".into(),
        )
    })?;
    if item.expires_at <= state.clock.now_secs() {
        return Err(DeliveryError::Permanent(
            "the link expired before the message could be delivered".into(),
        ));
    }
    let link = state.reset_link(&secrets::encode(&token));
    match item.reset.channel {
        Channel::Email => {
            let (message, message_id) = crate::mail_reset::compose_reset(
                &state.templates,
                state.config.mail.from_address(),
                &item.reset,
                item.id,
                &link,
                item.expires_at,
            )?;
            // A provider's own id (Postmark's) is what it reports; SMTP keeps our Message-ID.
            let provider_id = mailer.send_with_id(message).await?;
            Ok(provider_id.unwrap_or(message_id))
        }
        Channel::Sms => match sms {
            Some(sender) => {
                let text = crate::sms::reset_text(&item.reset, &link, item.expires_at);
                sender.send(&item.reset.recipient, &text).await
            }
            None => Err(DeliveryError::Permanent(
                "SMS delivery is not configured on this gateway".into(),
            )),
        },
        Channel::Link => Err(DeliveryError::Permanent("link resets are not sent".into())),
    }
}
