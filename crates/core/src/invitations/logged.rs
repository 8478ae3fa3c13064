//! The gateway's member events as a team's log carries them (`member.event`): each applied
//! once per gateway event id (`team_member_events`), and a registration the log places before
//! its invitation's gateway id kept waiting for the `invitation.linked` that tells it.

use orgdesk_protocol::{Event, EventKind};
use rusqlite::{params, Connection, OptionalExtension};

use super::events::{apply_member_event, apply_registration, invitation_where, Applying, Through};
use crate::error::{CoreError, CoreResult};
use crate::gateway_accounts::audit_refused_event;
use crate::join::TellGateway;
use crate::store::Directory;

impl Directory {
    /// Applies a member event a `member.event` change of the team's log carries
    /// ([`apply_member_event`]), once per gateway event id: several computers queue the same
    /// event, the first of the log takes it and the others find it taken
    /// (`team_member_events`, the same on every computer and carried by the snapshot).
    ///
    /// A registration through an invitation whose gateway id the log has not told yet (the
    /// `invitation.linked` of the computer that sent it is still on its way, so the invitation
    /// is unknown here, or known on the sending computer only from the gateway's answer) is
    /// not applied: it waits, keyed by that gateway id, and is applied right after the
    /// `invitation.linked` naming the id ([`Directory::apply_registrations_waiting_for`]), at
    /// the same point of the log on every computer.
    pub(crate) fn apply_logged_member_event(
        &mut self,
        e: &Event,
        tell: TellGateway,
    ) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM team_member_events WHERE event_id = ?1)",
            [&e.id],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(());
        }
        if let EventKind::Registered { invitation_id, .. } = &e.kind {
            if !told_through_log(&tx, invitation_id)? {
                let event = serde_json::to_string(e).map_err(|err| {
                    CoreError::Internal(format!("The gateway's event could not be kept: {err}"))
                })?;
                tx.execute(
                    "INSERT INTO team_member_events (event_id, waiting_for, event, parked_seq, mine)
                     VALUES (?1, ?2, ?3, (SELECT applied_seq + 1 FROM team_cursor), ?4)",
                    params![e.id, invitation_id, event, tell == TellGateway::Yes],
                )?;
                tx.commit()?;
                return Ok(());
            }
        }
        tx.execute(
            "INSERT INTO team_member_events (event_id) VALUES (?1)",
            [&e.id],
        )?;
        let member = apply_member_event(&tx, e, now, Applying::FromLog(tell))?;
        tx.commit()?;
        self.touch_members(member.as_slice());
        Ok(())
    }

    /// Applies the registrations that wait for the gateway id `gateway_id`, in the order the
    /// log placed them, once an `invitation.linked` change told that the invitation `key` has
    /// it: each as [`apply_member_event`] applies a registration, through that invitation
    /// (an invitation cancelled meanwhile refuses it, as outside a team; only the computer
    /// whose `member.event` change parked it tells the gateway). An invitation not held here
    /// (its member removed, or sent before this computer joined from a snapshot that did not
    /// carry it) passes it over, telling nobody.
    pub(crate) fn apply_registrations_waiting_for(
        &mut self,
        key: &str,
        gateway_id: &str,
    ) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        tx.execute(
            "UPDATE invitations SET linked_in_log = 1 WHERE idempotency_key = ?1 AND linked_in_log = 0",
            [key],
        )?;
        let waiting: Vec<(String, String, bool)> = crate::rows::all(
            &tx,
            "SELECT event_id, event, mine FROM team_member_events
             WHERE waiting_for = ?1 ORDER BY parked_seq, event_id",
            [gateway_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut changed = Vec::new();
        for (event_id, event, mine) in waiting {
            tx.execute(
                "UPDATE team_member_events SET waiting_for = NULL, event = NULL, parked_seq = NULL,
                     mine = 0
                 WHERE event_id = ?1",
                [&event_id],
            )?;
            let Some(e) = waiting_registration(&event, &event_id, gateway_id) else {
                audit_refused_event(
                    &tx,
                    now,
                    None,
                    "registered",
                    "A registration kept waiting for its invitation could not be read.",
                )?;
                continue;
            };
            let Some(invitation) = by_key(&tx, key)? else {
                continue;
            };
            let tell = if mine {
                TellGateway::Yes
            } else {
                TellGateway::LeftToAuthor
            };
            changed.extend(apply_registration(
                &tx,
                &e,
                invitation,
                now,
                Applying::FromLog(tell),
            )?);
        }
        tx.commit()?;
        self.touch_members(&changed);
        Ok(())
    }
}

/// The registration a `team_member_events` row keeps waiting for `gateway_id`, read back; None
/// if it is not one (a damaged row: a snapshot's rows are checked as they are loaded).
pub(crate) fn waiting_registration(event: &str, event_id: &str, gateway_id: &str) -> Option<Event> {
    let e: Event = serde_json::from_str(event).ok()?;
    match &e.kind {
        EventKind::Registered { invitation_id, .. }
            if invitation_id == gateway_id && e.id == event_id =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// Whether the invitation with the gateway id `gateway_id` is held here with that id as the
/// team's log told it: one written from the log (`invitation.send`) once an
/// `invitation.linked` naming it was applied, one made outside the log as soon as it has the
/// id. The computer that sent an invitation hears its id from the gateway before the log
/// tells the others, and must wait for the log as they do.
fn told_through_log(tx: &Connection, gateway_id: &str) -> rusqlite::Result<bool> {
    let linked: Option<Option<i64>> = tx
        .query_row(
            "SELECT linked_in_log FROM invitations WHERE gateway_id = ?1",
            [gateway_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(matches!(linked, Some(None | Some(1))))
}

/// The invitation with the key `key`.
fn by_key(tx: &Connection, key: &str) -> rusqlite::Result<Option<Through>> {
    invitation_where(tx, "i.idempotency_key = ?1", key)
}
