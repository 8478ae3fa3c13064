//! Sending password reset messages (mail or text) from the shared outbox: claimed, sent and
//! recorded like invitations, with the same lease and backoff.

use orgdesk_protocol::Channel;

use super::{deliver, deliver_next, lease, LinkMessage};
use crate::mail::{Composed, LinkMail, Mailer};
use crate::mail_reset::compose_reset;
use crate::sms::{reset_text, SmsSender};
use crate::store::{PasswordReset, Sends};
use crate::{AppState, Shared};

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

impl LinkMessage for PasswordReset {
    const SENDS: Sends = Sends::Reset;
    const UNSENT: &'static str = "link resets are not sent";
    // A reset's delivery event does not say whether the mail was kept in the gateway's folder.
    const TELLS_KEPT: bool = false;
    const LINK: fn(&AppState, &str) -> String = AppState::reset_link;
    const COMPOSE: for<'a> fn(&LinkMail<'a>, &Self) -> Composed = compose_reset;
    const TEXT: fn(&Self, &str, i64) -> String = reset_text;
    fn about(&self) -> (&str, Channel, &str) {
        (&self.id, self.channel, &self.recipient)
    }
}
