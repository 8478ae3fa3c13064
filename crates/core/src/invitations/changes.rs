//! Changing an open invitation: resending a fresh link, cancelling it, and closing a
//! member's open invitations before a new one.

use rusqlite::{params, Connection, OptionalExtension};

use super::{InvitationBatchOutcome, InvitationState};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::join::TellGateway;
use crate::store::Directory;
use crate::types::MemberId;

/// Resending or cancelling, the two changes an admin makes to an open invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationChange {
    Resend,
    Cancel,
}

impl InvitationChange {
    /// Resending also takes an expired invitation (a fresh link); cancelling only an open one.
    fn allows_expired(self) -> bool {
        self == Self::Resend
    }

    fn audit_action(self) -> &'static str {
        match self {
            Self::Resend => "member.invite_resend",
            Self::Cancel => "member.invite_cancel",
        }
    }

    /// Applies the change to one row already found changeable (`id`, its member and the
    /// member's name), and audits it. Left to its author (another computer of the team made
    /// the change), what this computer has queued for the gateway stays as it is.
    fn apply(
        self,
        tx: &Connection,
        actor: &Actor,
        (id, member, name): (i64, MemberId, &str),
        now: i64,
        tell: TellGateway,
    ) -> CoreResult<()> {
        match (self, tell) {
            // The author's computer sends the fresh link and tells the others its expiry.
            (Self::Resend, TellGateway::LeftToAuthor) => {
                tx.execute(
                    "UPDATE invitations SET state = 'queued', last_error = NULL, updated_at = ?2
                     WHERE id = ?1",
                    params![id, now],
                )?;
            }
            // Not yet created on the gateway: the queued create sends it anyway.
            (Self::Resend, TellGateway::Yes) => {
                tx.execute(
                    "UPDATE invitations SET
                         pending_action = CASE WHEN gateway_id IS NULL THEN 'create' ELSE 'resend' END,
                         state = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL,
                         updated_at = ?2
                     WHERE id = ?1",
                    params![id, now],
                )?;
            }
            (Self::Cancel, _) => cancel_row(tx, id, now, tell)?,
        }
        audit::record(
            tx,
            now,
            actor,
            audit::Entry::member(self.audit_action(), member, name),
        )?;
        Ok(())
    }
}

/// The member and name of an invitation that `change` may be applied to, else why not.
fn changeable(
    tx: &Connection,
    id: i64,
    change: InvitationChange,
) -> CoreResult<Result<(MemberId, String), ErrorDetail>> {
    let row: Option<(MemberId, String, String)> = tx
        .query_row(
            "SELECT i.member_id, m.name, i.state FROM invitations i JOIN members m ON m.id = i.member_id
             WHERE i.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((member, name, state)) = row else {
        return Ok(Err(ErrorDetail::field(
            "invitations",
            "not_found",
            format!("Invitation {id} no longer exists."),
        )));
    };
    let state = InvitationState::parse(&state);
    let resendable = change.allows_expired() && state == InvitationState::Expired;
    if !state.is_open() && !resendable {
        return Ok(Err(ErrorDetail::field(
            &name,
            "invitation_closed",
            format!(
                "The invitation to {name} is already {}; invite {name} again instead.",
                state.as_str()
            ),
        )));
    }
    Ok(Ok((member, name)))
}

impl Directory {
    /// Applies `change` to one invitation, refusing with the reason when it cannot be.
    fn change_invitation(
        &mut self,
        actor: &Actor,
        id: i64,
        change: InvitationChange,
    ) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        let (member, name) = match changeable(&tx, id, change)? {
            Ok(found) => found,
            Err(d) if d.code == "not_found" => {
                return Err(CoreError::NotFound(
                    "This invitation no longer exists.".into(),
                ))
            }
            Err(d) => return Err(CoreError::Conflict(d.reason)),
        };
        change.apply(&tx, actor, (id, member, &name), now, TellGateway::Yes)?;
        tx.commit()?;
        Ok(())
    }

    /// Applies `change` to each invitation in one transaction, passing over (and listing)
    /// those it cannot apply to.
    fn change_invitations_telling(
        &mut self,
        actor: &Actor,
        ids: &[i64],
        change: InvitationChange,
        tell: TellGateway,
    ) -> CoreResult<InvitationBatchOutcome> {
        CoreError::unless_chosen(ids, "invitations", "Choose at least one invitation.")?;
        let (now, tx) = self.begin()?;
        let mut out = InvitationBatchOutcome {
            changed: 0,
            skipped: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        for &id in ids {
            if !seen.insert(id) {
                continue;
            }
            match changeable(&tx, id, change)? {
                Ok((member, name)) => {
                    change.apply(&tx, actor, (id, member, &name), now, tell)?;
                    out.changed += 1;
                }
                Err(skipped) => out.skipped.push(skipped),
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Sends a fresh link for an open or expired invitation; the old link stops working.
    pub fn resend_invitation(&mut self, actor: &Actor, id: i64) -> CoreResult<()> {
        self.change_invitation(actor, id, InvitationChange::Resend)
    }

    /// Cancels an open invitation: its link stops working once the gateway is told.
    pub fn cancel_invitation(&mut self, actor: &Actor, id: i64) -> CoreResult<()> {
        self.change_invitation(actor, id, InvitationChange::Cancel)
    }

    /// Resends or cancels each of these invitations (as [`Directory::resend_invitation`] and
    /// [`Directory::cancel_invitation`] do) in one transaction; those already closed or gone
    /// are passed over and listed with the reason.
    pub fn change_invitations(
        &mut self,
        actor: &Actor,
        ids: &[i64],
        change: InvitationChange,
    ) -> CoreResult<InvitationBatchOutcome> {
        self.change_invitations_telling(actor, ids, change, TellGateway::Yes)
    }

    /// The keys of these invitations, by which a change of the team's log names them (a row's
    /// id is each directory's own); those not here are left out, and none found is refused.
    pub(crate) fn invitation_keys(&self, ids: &[i64]) -> CoreResult<Vec<String>> {
        let mut keys = Vec::new();
        for &id in ids {
            let sql = "SELECT idempotency_key FROM invitations WHERE id = ?1";
            let key: Option<String> = crate::rows::first(&self.conn, sql, [id])?;
            keys.extend(key.filter(|k| !keys.contains(k)));
        }
        if keys.is_empty() {
            return Err(CoreError::NotFound(
                "None of these invitations exists.".into(),
            ));
        }
        Ok(keys)
    }

    /// Makes `change` to the invitations a change of the team's log names by their keys, in
    /// one transaction, as [`Directory::change_invitations`] does, `tell` saying
    /// whether this computer tells the gateway. Those not here or closed are passed over; when
    /// none is changed the change is refused with the reasons.
    pub(crate) fn change_invitations_by_key(
        &mut self,
        actor: &Actor,
        keys: &[String],
        change: InvitationChange,
        tell: TellGateway,
    ) -> CoreResult<()> {
        let mut ids = Vec::new();
        for key in keys {
            let sql = "SELECT id FROM invitations WHERE idempotency_key = ?1";
            ids.extend(crate::rows::first::<i64>(&self.conn, sql, [key])?);
        }
        if ids.is_empty() {
            return Err(CoreError::NotFound(
                "None of these invitations is in this directory.".into(),
            ));
        }
        let out = self.change_invitations_telling(actor, &ids, change, tell)?;
        if out.changed == 0 {
            return Err(CoreError::invalid(out.skipped));
        }
        Ok(())
    }
}

/// Marks a row cancelled; the gateway is told only if it knows the invitation, and only by
/// one computer: the one whose change it is (`tell`) when it holds the gateway's id, else
/// the one that sent the invitation, when the id is still its alone — its own
/// `invitation.linked` is waiting here to be applied, so the log has not told the id before
/// this cancel and the cancel's author could not tell the gateway. (A cancel applied before
/// the sender has the gateway's answer is told when the answer comes: `gateway_work_done_with`.)
fn cancel_row(tx: &Connection, id: i64, now: i64, tell: TellGateway) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE invitations SET state = 'cancelled',
             pending_action = CASE
                 WHEN gateway_id IS NULL THEN NULL
                 WHEN NOT ?3 THEN 'cancel'
                 WHEN EXISTS (
                     SELECT 1 FROM team_pending p
                      WHERE json_valid(p.body)
                        AND json_extract(p.body, '$.kind') = 'invitation.linked'
                        AND json_extract(p.body, '$.args.invitation') = invitations.idempotency_key
                        AND json_extract(p.body, '$.args.gatewayId') = invitations.gateway_id)
                     THEN 'cancel'
             END,
             attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = ?2
         WHERE id = ?1",
        params![id, now, tell == TellGateway::LeftToAuthor],
    )?;
    Ok(())
}

pub(super) fn close_open_invitations(
    tx: &Connection,
    member: MemberId,
    now: i64,
    tell: TellGateway,
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
        cancel_row(tx, id, now, tell)?;
    }
    Ok(())
}
