//! The queue of what the gateway still has to be told: the work and outbox items due, and how
//! each ended (done, refused, or retried later).

use orgdesk_protocol::CreateInvitation;
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    language_or, GatewayAction, GatewayWork, InviteChannel, OutboxItem, OutboxResult, WorkResult,
};
use crate::error::CoreResult;
use crate::retry::retry_delay_ms;
use crate::rows::row_into;
use crate::store::Directory;

impl Directory {
    /// The work due at this moment, oldest first.
    pub fn due_gateway_work(&self, limit: u32) -> CoreResult<Vec<GatewayWork>> {
        let now = self.now_ms();
        let org = self.organization_name()?;
        // Invitations written before each had its own language take the organization's.
        let org_language = self.invitation_language()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.idempotency_key, i.gateway_id, i.pending_action, i.attempts, i.channel,
                    i.recipient, m.name, i.inviter_name,
                    (SELECT d.name FROM positions p JOIN departments d ON d.id = p.department_id
                      WHERE p.member_id = m.id AND p.is_primary = 1),
                    (SELECT p.title FROM positions p WHERE p.member_id = m.id AND p.is_primary = 1),
                    i.locale
             FROM invitations i JOIN members m ON m.id = i.member_id
             WHERE i.pending_action IS NOT NULL AND i.next_attempt_at <= ?1
             ORDER BY i.next_attempt_at, i.id
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit], |r| {
            let action: String = r.get(3)?;
            let channel = InviteChannel::parse(&r.get::<_, String>(5)?);
            let action = match action.as_str() {
                "resend" => GatewayAction::Resend,
                "cancel" => GatewayAction::Cancel,
                _ => GatewayAction::Create(CreateInvitation {
                    channel: channel.wire(),
                    recipient: r.get(6)?,
                    invitee_name: r.get(7)?,
                    organization_name: org.clone(),
                    department_label: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                    position_label: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    inviter_name: r.get(8)?,
                    expires_in_secs: None,
                    locale: Some(language_or(r.get(11)?, org_language).code().to_owned()),
                }),
            };
            Ok(GatewayWork {
                invitation_id: r.get(0)?,
                idempotency_key: r.get(1)?,
                gateway_id: r.get(2)?,
                action,
                attempts: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Account changes due for the gateway, oldest first.
    pub fn due_gateway_outbox(&self, limit: u32) -> CoreResult<Vec<OutboxItem>> {
        let items = crate::rows::all(
            &self.conn,
            "SELECT id, kind, target, value, attempts FROM gateway_outbox
             WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
            params![self.now_ms(), limit],
            |r| Ok(row_into!(r => OutboxItem { id, kind, target, value, attempts })),
        )?;
        Ok(items)
    }

    pub fn gateway_outbox_done(
        &mut self,
        item: &OutboxItem,
        result: OutboxResult,
    ) -> CoreResult<()> {
        let now = self.now_ms();
        match result {
            OutboxResult::Done => {
                // A newer change for the same account replaced this row meanwhile: keep that one.
                self.conn.execute(
                    "DELETE FROM gateway_outbox WHERE id = ?1 AND value = ?2",
                    params![item.id, item.value],
                )?;
            }
            OutboxResult::Retry(reason) => {
                let attempts = item.attempts + 1;
                self.conn.execute(
                    "UPDATE gateway_outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
                    params![item.id, attempts, now + retry_delay_ms(attempts), reason],
                )?;
            }
        }
        Ok(())
    }

    /// When the next queued work falls due (milliseconds since the epoch), if any is queued.
    pub fn next_gateway_work_at(&self) -> CoreResult<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(at) FROM (
                 SELECT min(next_attempt_at) AS at FROM invitations WHERE pending_action IS NOT NULL
                 UNION ALL SELECT min(next_attempt_at) FROM gateway_outbox)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records how a piece of work ended. Work that was replaced meanwhile keeps its newer
    /// pending action; a create that comes back linked for an invitation cancelled while it
    /// was in flight queues the cancel the gateway could not be told before. What the
    /// gateway answered about the invitation (a link made, or a send refused for good) is
    /// handed to `answered` in the same transaction with the invitation's key and the time,
    /// which on a computer in a team tells the other computers (`Directory::gateway_work_done`
    /// in `crate::team`).
    pub(crate) fn gateway_work_done_with(
        &mut self,
        work: &GatewayWork,
        result: WorkResult,
        answered: impl FnOnce(&Connection, &str, Answered<'_>, i64) -> CoreResult<()>,
    ) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        let pending: Option<Option<String>> = tx
            .query_row(
                "SELECT pending_action FROM invitations WHERE id = ?1",
                [work.invitation_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(pending) = pending else {
            return Ok(()); // the member was removed meanwhile
        };
        let same_action = matches!(
            (&work.action, pending.as_deref()),
            (GatewayAction::Create(_), Some("create"))
                | (GatewayAction::Resend, Some("resend"))
                | (GatewayAction::Cancel, Some("cancel"))
        );
        match result {
            WorkResult::Linked {
                gateway_id,
                link,
                expires_at_secs,
            } => {
                let expires_at = expires_at_secs.saturating_mul(1000);
                // Even when superseded, remember the gateway's id: a later cancel needs it.
                tx.execute(
                    "UPDATE invitations SET gateway_id = ?2, link = ?3, expires_at = ?4, updated_at = ?5
                     WHERE id = ?1",
                    params![
                        work.invitation_id,
                        gateway_id,
                        link,
                        expires_at,
                        now
                    ],
                )?;
                let link = Answered::Linked {
                    gateway_id: &gateway_id,
                    expires_at,
                };
                answered(&tx, &work.idempotency_key, link, now)?;
                if same_action {
                    tx.execute(
                        "UPDATE invitations SET state = 'sent', pending_action = NULL, attempts = 0,
                             last_error = NULL WHERE id = ?1",
                        [work.invitation_id],
                    )?;
                } else if matches!(work.action, GatewayAction::Create(_)) {
                    // Cancelled here while the create was on its way (by an admin here, or by
                    // another computer's change, neither of which could name the invitation to
                    // the gateway): the gateway made a live link all the same, and this
                    // computer, the only one that holds its id yet, tells it of the cancel.
                    tx.execute(
                        "UPDATE invitations SET pending_action = 'cancel', attempts = 0,
                             next_attempt_at = 0, last_error = NULL
                         WHERE id = ?1 AND state = 'cancelled' AND pending_action IS NULL",
                        [work.invitation_id],
                    )?;
                }
            }
            WorkResult::Cancelled => {
                if same_action {
                    tx.execute(
                        "UPDATE invitations SET pending_action = NULL, attempts = 0, last_error = NULL,
                             updated_at = ?2 WHERE id = ?1",
                        params![work.invitation_id, now],
                    )?;
                }
            }
            WorkResult::Refused(reason) => {
                if same_action {
                    let cancel = matches!(work.action, GatewayAction::Cancel);
                    let state = if cancel { "cancelled" } else { "failed" };
                    tx.execute(
                        "UPDATE invitations SET pending_action = NULL, state = ?2, last_error = ?3,
                             updated_at = ?4 WHERE id = ?1",
                        params![work.invitation_id, state, reason, now],
                    )?;
                    if !cancel {
                        let refused = Answered::Refused(&reason);
                        answered(&tx, &work.idempotency_key, refused, now)?;
                    }
                }
            }
            WorkResult::Retry(reason) => {
                if same_action {
                    let attempts = work.attempts + 1;
                    tx.execute(
                        "UPDATE invitations SET attempts = ?2, next_attempt_at = ?3, last_error = ?4
                         WHERE id = ?1",
                        params![work.invitation_id, attempts, now + retry_delay_ms(attempts), reason],
                    )?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that the gateway refused for good to send the invitation `key`, which another
    /// computer of the team sent (or sent again), and why: failed here too, unless this
    /// computer has work of its own queued for it.
    pub(crate) fn record_invitation_failed(&mut self, key: &str, reason: &str) -> CoreResult<()> {
        self.conn.execute(
            "UPDATE invitations SET state = 'failed', last_error = ?2, updated_at = ?3
             WHERE idempotency_key = ?1 AND pending_action IS NULL AND state IN ('queued', 'sent')",
            params![key, reason, self.now_ms()],
        )?;
        Ok(())
    }

    /// Records the gateway's id and expiry of the invitation `key`, which another computer of
    /// the team sent (or sent again): its events then reach it here, and it can be resent or
    /// cancelled from here. A link this computer held for it before stops working, so it is
    /// forgotten; the link itself is the sending computer's alone. Left as it is while this
    /// computer has work of its own queued for it, which will bring its own answer.
    pub(crate) fn record_invitation_link(
        &mut self,
        key: &str,
        gateway_id: &str,
        expires_at: i64,
    ) -> CoreResult<()> {
        self.conn.execute(
            "UPDATE invitations SET gateway_id = ?2,
                 link = CASE WHEN expires_at IS ?3 AND gateway_id IS ?2 THEN link END,
                 expires_at = ?3,
                 state = CASE WHEN state = 'queued' THEN 'sent' ELSE state END,
                 updated_at = ?4
             WHERE idempotency_key = ?1 AND pending_action IS NULL
               AND (gateway_id IS NOT ?2 OR expires_at IS NOT ?3 OR state = 'queued')",
            params![key, gateway_id, expires_at, self.now_ms()],
        )?;
        Ok(())
    }
}

/// What the gateway answered about an invitation, as a team's other computers hear of it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Answered<'a> {
    /// A link made, under the gateway's id, expiring at (ms).
    Linked {
        gateway_id: &'a str,
        expires_at: i64,
    },
    /// Sending it refused for good, and why.
    Refused(&'a str),
}
