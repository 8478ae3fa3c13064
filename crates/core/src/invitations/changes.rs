//! Changing an open invitation: resending a fresh link, cancelling it, and closing a
//! member's open invitations before a new one.

use rusqlite::{params, OptionalExtension, Transaction};

use super::InvitationState;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::store::Directory;
use crate::types::MemberId;

impl Directory {
    fn open_invitation(
        &self,
        id: i64,
        allow_expired: bool,
    ) -> CoreResult<(MemberId, String, InvitationState)> {
        let row: Option<(MemberId, String, String)> = self
            .conn
            .query_row(
                "SELECT i.member_id, m.name, i.state FROM invitations i JOIN members m ON m.id = i.member_id
                 WHERE i.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((member, name, state)) = row else {
            return Err(CoreError::NotFound(
                "This invitation no longer exists.".into(),
            ));
        };
        let state = InvitationState::parse(&state);
        let resendable = allow_expired && state == InvitationState::Expired;
        if !state.is_open() && !resendable {
            return Err(CoreError::Conflict(format!(
                "The invitation to {name} is already {}; invite {name} again instead.",
                state.as_str()
            )));
        }
        Ok((member, name, state))
    }

    /// Sends a fresh link for an open or expired invitation; the old link stops working.
    pub fn resend_invitation(&mut self, actor: &Actor, id: i64) -> CoreResult<()> {
        let (member, name, _) = self.open_invitation(id, true)?;
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        // Not yet created on the gateway: the queued create sends it anyway.
        tx.execute(
            "UPDATE invitations SET
                 pending_action = CASE WHEN gateway_id IS NULL THEN 'create' ELSE 'resend' END,
                 state = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL,
                 updated_at = ?2
             WHERE id = ?1",
            params![id, now],
        )?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.invite_resend", member, &name),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Cancels an open invitation: its link stops working once the gateway is told.
    pub fn cancel_invitation(&mut self, actor: &Actor, id: i64) -> CoreResult<()> {
        let (member, name, _) = self.open_invitation(id, false)?;
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        cancel_row(&tx, id, now)?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.invite_cancel", member, &name),
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Marks a row cancelled; the gateway is told only if it knows the invitation.
fn cancel_row(tx: &Transaction<'_>, id: i64, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE invitations SET state = 'cancelled',
             pending_action = CASE WHEN gateway_id IS NULL THEN NULL ELSE 'cancel' END,
             attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

pub(super) fn close_open_invitations(
    tx: &Transaction<'_>,
    member: MemberId,
    now: i64,
) -> rusqlite::Result<()> {
    let open: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM invitations WHERE member_id = ?1
               AND state IN ('queued', 'sent', 'delivered', 'opened', 'failed')",
        )?;
        let rows = stmt.query_map([member], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for id in open {
        cancel_row(tx, id, now)?;
    }
    Ok(())
}
