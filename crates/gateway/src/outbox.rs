//! Delivery from the durable outbox. A message is written in the same transaction as its
//! invitation, so a mail server that is down delays it but never loses it: the worker claims
//! due rows, sends, and either records the delivery or schedules a retry with exponential
//! backoff, reporting `invitation_failed` when it gives up.

use std::time::Duration;

use orgdesk_protocol::Channel;
use tokio::sync::watch;

use crate::mail::{compose_invitation, DeliveryError, Mailer};
use crate::sms::{invitation_text as sms_text, SmsSender};
use crate::store::OutboxItem;
use crate::Shared;

/// How long a claimed message is reserved for one sender; longer than any SMTP timeout.
const LEASE_SECS: i64 = 300;

pub(crate) async fn run(
    state: Shared,
    mailer: Box<dyn Mailer>,
    sms: Option<Box<dyn SmsSender>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(state.config.delivery.poll_interval_ms.max(10));
    let sweep_every = Duration::from_millis(state.config.delivery.expiry_check_interval_ms.max(10));
    let mut last_sweep: Option<tokio::time::Instant> = None;
    let prune_every = Duration::from_secs(state.config.retention.interval_secs.max(1));
    let mut last_prune: Option<tokio::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        if last_prune.is_none_or(|at| at.elapsed() >= prune_every) {
            last_prune = Some(tokio::time::Instant::now());
            if let Err(e) = crate::retention::prune(&state).await {
                tracing::error!(error = %e, "cannot prune ended sessions and stale counters");
            }
        }
        if last_sweep.is_none_or(|at| at.elapsed() >= sweep_every) {
            last_sweep = Some(tokio::time::Instant::now());
            crate::accounts::sweep(&state).await;
        }
        let sent_invitation = match state
            .store
            .claim_due_message(state.clock.now(), LEASE_SECS)
            .await
        {
            Ok(Some(item)) => {
                deliver(&state, mailer.as_ref(), sms.as_deref(), item).await;
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::error!(error = %e, "outbox: cannot read due messages");
                false
            }
        };
        // Password reset messages share the outbox (and these senders) with invitations, taking
        // turns so that a batch of invitations does not hold up a member waiting for a reset.
        let sent_reset =
            crate::accounts::deliver_due_reset(&state, mailer.as_ref(), sms.as_deref()).await;
        if sent_invitation || sent_reset {
            continue;
        }
        tokio::select! {
            _ = state.outbox_bell.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Seconds before retry number `attempt` (1-based): initial · 2^(attempt-1), capped.
pub(crate) fn backoff(initial: u64, max: u64, attempt: u32) -> u64 {
    let factor = 1u64
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u64::MAX);
    initial.saturating_mul(factor).min(max)
}

async fn deliver(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: OutboxItem,
) {
    let result = send(state, mailer, sms, &item).await;
    let now = state.clock.now();
    let attempts = item.attempts + 1;
    let recorded = match result {
        Ok(message_id) => {
            tracing::info!(invitation = %item.invitation.id, %message_id, "invitation delivered");
            state.store.message_sent(item.id, &message_id, now).await
        }
        Err(DeliveryError::Transient(reason)) if attempts < state.config.delivery.max_attempts => {
            let d = &state.config.delivery;
            let wait = backoff(d.retry_initial_secs, d.retry_max_secs, attempts);
            tracing::warn!(invitation = %item.invitation.id, attempts, wait, %reason, "delivery failed; will retry");
            let at = now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
            state
                .store
                .message_failed(item.id, &reason, Some(at), now)
                .await
        }
        Err(DeliveryError::Transient(reason) | DeliveryError::Permanent(reason)) => {
            tracing::warn!(invitation = %item.invitation.id, attempts, %reason, "delivery failed; giving up");
            state
                .store
                .message_failed(item.id, &reason, None, now)
                .await
        }
    };
    match recorded {
        Ok(()) => state.ring_events(),
        // The lease expires and the message is tried again: at worst a duplicate, never a loss.
        Err(e) => tracing::error!(error = %e, "outbox: cannot record a delivery result"),
    }
}

async fn send(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &OutboxItem,
) -> Result<String, DeliveryError> {
    let token = state.pepper.open(&item.sealed_token).ok_or_else(|| {
        DeliveryError::Permanent(
            "the stored link cannot be opened with this server's pepper".into(),
        )
    })?;
    if item.expires_at <= state.clock.now() {
        // Mail that can only lead to an "expired" page is not worth sending; the desktop
        // learns it failed and can resend with a fresh link.
        return Err(DeliveryError::Permanent(
            "the link expired before the message could be delivered".into(),
        ));
    }
    let link = state.invitation_link(&crate::secrets::encode(&token));
    match item.invitation.channel {
        Channel::Email => {
            let (message, message_id) = compose_invitation(
                &state.templates,
                state.config.mail.from_address(),
                &item.invitation,
                &link,
                item.expires_at,
            )?;
            // A provider's own id is what its bounces will name.
            let provider_id = mailer.send_with_id(message).await?;
            Ok(provider_id.unwrap_or(message_id))
        }
        Channel::Sms => match sms {
            Some(sender) => {
                let text = sms_text(&item.invitation, &link, item.expires_at);
                sender.send(&item.invitation.recipient, &text).await
            }
            None => Err(DeliveryError::Permanent(
                "SMS delivery is not configured on this gateway".into(),
            )),
        },
        Channel::Link => Err(DeliveryError::Permanent(
            "link invitations are not sent".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(super::backoff(30, 3600, 1), 30);
        assert_eq!(super::backoff(30, 3600, 2), 60);
        assert_eq!(super::backoff(30, 3600, 8), 3600);
        assert_eq!(super::backoff(30, 3600, 200), 3600);
    }
}
