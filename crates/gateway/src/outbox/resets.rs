//! Sending password reset messages (mail or text) from the shared outbox: claimed, sent and
//! recorded like invitations, with the same lease and backoff.

use lettre::Message;
use orgdesk_protocol::Channel;

use super::{deliver, deliver_next, lease, LinkMessage};
use crate::mail::{DeliveryError, Mailer};
use crate::mail_reset::compose_reset;
use crate::sms::{reset_text, SmsSender};
use crate::store::{PasswordReset, Sends};
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

impl LinkMessage for PasswordReset {
    const SENDS: Sends = Sends::Reset;
    const UNSENT: &'static str = "link resets are not sent";
    fn id(&self) -> &str {
        &self.id
    }
    fn channel(&self) -> Channel {
        self.channel
    }
    fn recipient(&self) -> &str {
        &self.recipient
    }
    /// A reset's delivery event does not say whether the mail was kept in the gateway's folder.
    fn kept(&self, _mailer: &dyn Mailer) -> bool {
        false
    }
    fn link(state: &Shared, token: &str) -> String {
        state.reset_link(token)
    }
    fn compose(
        &self,
        state: &Shared,
        from: &str,
        outbox_id: i64,
        link: &str,
        expires_at: i64,
    ) -> Result<(Message, String), DeliveryError> {
        compose_reset(&state.templates, from, self, outbox_id, link, expires_at)
    }
    fn text(&self, link: &str, expires_at: i64) -> String {
        reset_text(self, link, expires_at)
    }
}
