//! Delivery from the durable outbox. A message is written in the same transaction as its
//! invitation, so a mail server that is down delays it but never loses it: the worker claims
//! due rows, sends, and either records the delivery or schedules a retry with exponential
//! backoff, reporting `invitation_failed` when it gives up.
//!
//! Each gateway process has its own owner id. A claim records the owner and a lease in a
//! committed transaction before the mail server is contacted; the lease is renewed while the
//! send is in flight, and cleared with the outcome. A process killed mid-send therefore leaves
//! its one claimed row to lapse within `delivery.lease_secs`, after which any process sends it
//! again — with the same Message-ID, derived from the row (see docs/gateway.md, "Delivery").
//!
//! The same worker sends password reset messages ([`resets`]), taking turns with invitations,
//! reports invitation links that expired unused, and runs the retention pruning.

use std::future::Future;
use std::time::Duration;

use lettre::Message;
use orgdesk_protocol::Channel;
use tokio::sync::watch;

use crate::mail::{compose_invitation, Composed, DeliveryError, LinkMail, Mailer};
use crate::sms::{invitation_text as sms_text, SmsSender};
use crate::store::{FinishedSend, Invitation, Lease, LinkOutboxItem, SendEnd, Sends};
use crate::{AppState, Shared};

mod join_decisions;
mod resets;

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
    let owner = crate::secrets::new_id("wrk");
    tracing::info!(%owner, "outbox worker started");
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
            sweep(&state).await;
        }
        let sent_invitation = deliver_next(
            state.store.claim_due_message(lease(&state, &owner)),
            |item| deliver(&state, &owner, mailer.as_ref(), sms.as_deref(), item),
            "outbox: cannot read due messages",
        )
        .await;
        // Password reset messages share the outbox (and these senders) with invitations, taking
        // turns so that a batch of invitations does not hold up a member waiting for a reset.
        let sent_reset =
            resets::deliver_due_reset(&state, &owner, mailer.as_ref(), sms.as_deref()).await;
        let sent_decision =
            join_decisions::deliver_due_join_decision(&state, &owner, mailer.as_ref()).await;
        if sent_invitation || sent_reset || sent_decision {
            continue;
        }
        tokio::select! {
            _ = state.outbox_bell.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Sends the message `claim` finds due, if any, with `deliver`; `true` when there was one
/// (so the worker looks again at once). `failure` is logged when the claim fails.
pub(crate) async fn deliver_next<T, Fut>(
    claim: impl Future<Output = crate::error::Result<Option<T>>>,
    deliver: impl FnOnce(T) -> Fut,
    failure: &str,
) -> bool
where
    Fut: Future<Output = ()>,
{
    match claim.await {
        Ok(Some(item)) => {
            deliver(item).await;
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::error!(error = %e, "{failure}");
            false
        }
    }
}

/// A claimed outbox row: whose message it carries, its id, how many sends it had, and the
/// invitation, reset or join request it tells of (named in the log).
pub(crate) struct Claimed<'a> {
    pub(crate) sends: Sends,
    pub(crate) outbox_id: i64,
    pub(crate) attempts: u32,
    /// A message that, sent, lands in this gateway's mail folder rather than with anyone.
    pub(crate) kept: bool,
    pub(crate) subject_id: &'a str,
    /// Its last attempt ended with its process, perhaps after the mail server accepted it.
    pub(crate) resumed: bool,
}

/// Sends a claimed message (`send`) under its lease and records how the send ended, then
/// rings the event feed; the log says what happened.
pub(crate) async fn send_and_record(
    state: &Shared,
    owner: &str,
    claimed: Claimed<'_>,
    send: impl Future<Output = Result<String, DeliveryError>>,
) {
    let Claimed {
        sends,
        outbox_id,
        attempts,
        kept,
        subject_id,
        resumed,
    } = claimed;
    let kind = sends.noun();
    if resumed {
        // Sent again, with the same Message-ID, rather than perhaps never.
        tracing::warn!(
            kind,
            id = subject_id,
            "outbox: resuming a send whose outcome was never recorded"
        );
    }
    let _lease = LeaseKeeper::start(state, owner, outbox_id);
    let result = send.await;
    let now = state.clock.now_secs();
    let attempts = attempts + 1;
    let (mut end, wait) = send_end(state, result, attempts, now);
    if let SendEnd::Sent { kept: k, .. } = &mut end {
        *k = kept;
    }
    let what = log_end(kind, subject_id, &end, attempts, wait);
    let recorded = record(state, what, || {
        let end = end.clone();
        let send = FinishedSend {
            sends,
            outbox_id,
            end,
        };
        state.store.finish_send(send, now)
    })
    .await;
    // Not recorded only when stopping: the lease lapses and the message is tried again — at
    // worst a duplicate with the same Message-ID, never a loss.
    if recorded {
        state.ring_events();
    }
}

/// Logs how the send of a `kind` message about `id` ended (its `attempts`-th, `wait` seconds
/// before a retry); answers the name the record's log lines give it.
fn log_end(kind: &str, id: &str, end: &SendEnd, attempts: u32, wait: u64) -> &'static str {
    match end {
        SendEnd::Sent { message_id, .. } => {
            tracing::info!(kind, id, %message_id, "{kind} delivered");
            "sent"
        }
        SendEnd::Retry { error: reason, .. } => {
            tracing::warn!(kind, id, attempts, wait, %reason, "{kind} delivery failed; will retry");
            "retry"
        }
        SendEnd::GaveUp { error: reason } => {
            tracing::warn!(kind, id, attempts, %reason, "{kind} delivery failed; giving up");
            "failed"
        }
    }
}

/// The token of the link a message carries, opened for sending; refused for good when this
/// server's pepper cannot open it, or when the link has expired: mail that can only lead to
/// an "expired" page is not worth sending (the desktop learns it failed and can send a
/// fresh link).
pub(crate) fn link_token(
    state: &Shared,
    sealed_token: &[u8],
    expires_at: i64,
) -> Result<[u8; 32], DeliveryError> {
    let token = state.pepper.open(sealed_token).ok_or_else(|| {
        DeliveryError::Permanent(
            "the stored link cannot be opened with this server's pepper".into(),
        )
    })?;
    if expires_at <= state.clock.now_secs() {
        return Err(DeliveryError::Permanent(
            "the link expired before the message could be delivered".into(),
        ));
    }
    Ok(token)
}

/// Sends a composed mail: the provider's own id when it gives one (what its bounces and
/// reports name), else our Message-ID (SMTP).
pub(crate) async fn send_mail(
    mailer: &dyn Mailer,
    composed: Result<(Message, String), DeliveryError>,
) -> Result<String, DeliveryError> {
    let (message, message_id) = composed?;
    let provider_id = mailer.send_with_id(message).await?;
    Ok(provider_id.unwrap_or(message_id))
}

/// Sends a message that carries a link by its channel: by mail as `mail` composes it, or as
/// the text `text` writes; a link-only one is never sent (`unsent` says so).
pub(crate) async fn send_by_channel(
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    (channel, recipient): (Channel, &str),
    mail: impl FnOnce() -> Result<(Message, String), DeliveryError>,
    text: impl FnOnce() -> String,
    unsent: &str,
) -> Result<String, DeliveryError> {
    match (channel, sms) {
        (Channel::Email, _) => send_mail(mailer, mail()).await,
        (Channel::Sms, Some(sender)) => sender.send(recipient, &text()).await,
        (Channel::Sms, None) => Err(DeliveryError::Permanent(
            "SMS delivery is not configured on this gateway".into(),
        )),
        (Channel::Link, _) => Err(DeliveryError::Permanent(unsent.into())),
    }
}

/// Seconds before retry number `attempt` (1-based): initial · 2^(attempt-1), capped.
pub(crate) fn backoff(initial: u64, max: u64, attempt: u32) -> u64 {
    let factor = 1u64
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u64::MAX);
    initial.saturating_mul(factor).min(max)
}

/// The lease `owner` takes on a message it claims now.
pub(crate) fn lease<'a>(state: &Shared, owner: &'a str) -> Lease<'a> {
    let now = state.clock.now_secs();
    let until = now.saturating_add(lease_secs(state));
    Lease { now, until, owner }
}

pub(crate) fn lease_secs(state: &Shared) -> i64 {
    i64::try_from(state.config.delivery.lease_secs).unwrap_or(i64::MAX)
}

/// Keeps `owner`'s lease on an outbox row alive, every third of the lease, until dropped. It
/// runs as its own task so that a slow database never stalls the SMTP conversation.
pub(crate) struct LeaseKeeper(tokio::task::JoinHandle<()>);

impl LeaseKeeper {
    pub(crate) fn start(state: &Shared, owner: &str, outbox_id: i64) -> Self {
        let (state, owner) = (std::sync::Arc::clone(state), owner.to_owned());
        let every = Duration::from_millis(state.config.delivery.lease_secs * 1000 / 3);
        Self(tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tick.tick().await;
                let until = state.clock.now_secs().saturating_add(lease_secs(&state));
                match state.store.renew_lease(outbox_id, &owner, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, outbox = outbox_id, "outbox: cannot renew a lease")
                    }
                }
            }
        }))
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Records a send's outcome, trying again while the database is unreachable (a restart, a
/// failover): the message has gone, or has failed, and forgetting that would send it again.
/// Gives up only when the gateway stops; the lease then lapses and the message is retried.
pub(crate) async fn record<F, Fut>(state: &Shared, what: &str, mut write: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = crate::error::Result<()>>,
{
    let mut wait = Duration::from_millis(100);
    loop {
        match write().await {
            Ok(()) => return true,
            Err(e) => {
                tracing::error!(error = %e, what, "outbox: cannot record a delivery result; trying again");
                if *state.shutdown.borrow() {
                    return false;
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// What a send's result (its `attempts`-th) means for its row: sent; failed for now and tried
/// again after the backoff (the wait, in seconds, comes along) while attempts remain; or
/// failed for good.
pub(crate) fn send_end(
    state: &Shared,
    result: Result<String, DeliveryError>,
    attempts: u32,
    now: i64,
) -> (SendEnd, u64) {
    match result {
        Ok(message_id) => (
            SendEnd::Sent {
                message_id,
                kept: false,
            },
            0,
        ),
        Err(DeliveryError::Transient(error)) if attempts < state.config.delivery.max_attempts => {
            let d = &state.config.delivery;
            let wait = backoff(d.retry_initial_secs, d.retry_max_secs, attempts);
            let at = now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
            (SendEnd::Retry { error, at }, wait)
        }
        Err(DeliveryError::Transient(error) | DeliveryError::Permanent(error)) => {
            (SendEnd::GaveUp { error }, 0)
        }
    }
}

/// A message that carries a link (an invitation or a password reset): what the outbox needs
/// to send it by its channel and to log it.
pub(crate) trait LinkMessage: Sized {
    /// Which outbox rows carry it.
    const SENDS: Sends;
    /// Why one that is only passed on by hand is never sent.
    const UNSENT: &'static str;
    /// Whether its delivery event says that a mail landed in this gateway's folder.
    const TELLS_KEPT: bool;
    /// The page its link's token opens.
    const LINK: fn(&AppState, &str) -> String;
    /// Its mail.
    const COMPOSE: for<'a> fn(&LinkMail<'a>, &Self) -> Composed;
    /// Its text message, from the message, the link and the link's expiry.
    const TEXT: fn(&Self, &str, i64) -> String;
    /// Its id, channel and recipient.
    fn about(&self) -> (&str, Channel, &str);
}

impl LinkMessage for Invitation {
    const SENDS: Sends = Sends::Invitation;
    const UNSENT: &'static str = "link invitations are not sent";
    const TELLS_KEPT: bool = true;
    const LINK: fn(&AppState, &str) -> String = AppState::invitation_link;
    const COMPOSE: for<'a> fn(&LinkMail<'a>, &Self) -> Composed = compose_invitation;
    const TEXT: fn(&Self, &str, i64) -> String = sms_text;
    fn about(&self) -> (&str, Channel, &str) {
        (&self.id, self.channel, &self.recipient)
    }
}

/// Sends a claimed message that carries a link and records how it went.
async fn deliver<S: LinkMessage>(
    state: &Shared,
    owner: &str,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: LinkOutboxItem<S>,
) {
    let (id, channel, _) = item.subject.about();
    let claimed = Claimed {
        sends: S::SENDS,
        outbox_id: item.id,
        attempts: item.attempts,
        kept: S::TELLS_KEPT && channel == Channel::Email && mailer.keeps_messages(),
        subject_id: id,
        resumed: item.resumed,
    };
    send_and_record(state, owner, claimed, send(state, mailer, sms, &item)).await;
}

async fn send<S: LinkMessage>(
    state: &Shared,
    mailer: &dyn Mailer,
    sms: Option<&dyn SmsSender>,
    item: &LinkOutboxItem<S>,
) -> Result<String, DeliveryError> {
    let token = link_token(state, &item.sealed_token, item.expires_at)?;
    let link = S::LINK(state, &crate::secrets::encode(&token));
    let subject = &item.subject;
    let (_, channel, recipient) = subject.about();
    send_by_channel(
        mailer,
        sms,
        (channel, recipient),
        || {
            let mail = LinkMail {
                templates: &state.templates,
                from: state.config.mail.from_address(),
                outbox_id: item.id,
                link: &link,
                expires_at: item.expires_at,
            };
            (S::COMPOSE)(&mail, subject)
        },
        || (S::TEXT)(subject, &link, item.expires_at),
        S::UNSENT,
    )
    .await
}

/// How many expired links one sweep transaction reports at most.
const SWEEP_BATCH: u32 = 500;

/// Reports pending invitations whose link expired (once per link). Runs from the outbox
/// worker, so it stops with it (as does the pruning of stale rows, in `retention`).
async fn sweep(state: &Shared) {
    let now = state.clock.now_secs();
    loop {
        match state
            .store
            .report_expired_invitations(now, SWEEP_BATCH)
            .await
        {
            Ok(0) => break,
            Ok(n) => {
                state.ring_events();
                if n < SWEEP_BATCH {
                    break;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot report expired invitations");
                break;
            }
        }
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
