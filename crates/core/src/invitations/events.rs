//! The gateway's event feed applied to the directory: the cursor, and each event's effect on
//! an invitation or a member (delivered, opened, registered, declined, joined, …).

use orgdesk_protocol::{Event, EventKind, JoinerDetails};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::InvitationState;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::gateway_accounts::{
    audit_refused_event, member_by_account, refuse_account, valid_account_id,
};
use crate::join::{JoinRequestIn, TellGateway};
use crate::member_row;
use crate::store::Directory;
use crate::types::{fold_search, MemberId, Username};

const CURSOR_KEY: &str = "gateway_event_cursor";

impl Directory {
    /// The cursor of the gateway's event feed: every event up to it has been applied.
    pub fn gateway_event_cursor(&self) -> CoreResult<i64> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [CURSOR_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Forgets the cursor, for when the directory is connected to another gateway.
    ///
    /// Another gateway keeps other accounts: the bindings to this one's accounts, what it was
    /// told in the account mirror and the refusals meant for it are forgotten too, so the whole
    /// mirror is sent to the new gateway and members are bound to the accounts it keeps.
    pub fn reset_gateway_event_cursor(&mut self) -> CoreResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [CURSOR_KEY])?;
        tx.execute(
            "UPDATE members SET gateway_account_id = NULL WHERE gateway_account_id IS NOT NULL",
            [],
        )?;
        tx.execute("DELETE FROM gateway_accounts", [])?;
        tx.execute("DELETE FROM gateway_refusals", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Applies a page of the gateway's event feed and moves the cursor to `next_cursor`, in
    /// one transaction: applied exactly once even if the app stops half-way. Returns the
    /// members whose record changed (joined), for the UI to refresh.
    ///
    /// The page is untrusted input: one larger than the feed ever sends, or a cursor that moves
    /// backwards, is refused whole; events at or before the cursor (a replayed page) are
    /// passed over, so applying a page twice changes nothing.
    ///
    /// An event about an invitation this directory does not know by the gateway's id yet,
    /// while an invitation still waits for the gateway's answer to its creation, stops the page
    /// there: the gateway can send and report a message before the answer that names its id has
    /// been recorded here, and such an event, passed over, would be lost (a delivered invitation
    /// left "Sent", a failed one never shown as failed). The cursor stays before it and the next
    /// page starts with it. One older than [`HOLD_UNKNOWN_MS`] is passed over as before.
    ///
    /// A join request and the member events that change the directory (a registration, a
    /// password or a member's own details changed) are handed to `intake` (with the
    /// transaction and the time), which applies them or, on a computer in a team, queues them
    /// for the log (`Directory::apply_gateway_events` in `crate::team`).
    pub(crate) fn apply_gateway_events_with(
        &mut self,
        events: &[Event],
        next_cursor: i64,
        mut intake: impl FnMut(&Connection, Intake<'_>, i64) -> CoreResult<Option<MemberId>>,
    ) -> CoreResult<Vec<MemberId>> {
        let cursor = self.gateway_event_cursor()?;
        if events.len() > orgdesk_protocol::MAX_EVENTS_LIMIT as usize {
            return Err(CoreError::Conflict(format!(
                "The gateway sent {} events at once; at most {} are accepted.",
                events.len(),
                orgdesk_protocol::MAX_EVENTS_LIMIT
            )));
        }
        if next_cursor < cursor || events.iter().any(|e| e.seq > next_cursor) {
            return Err(CoreError::Conflict(
                "The gateway's event feed went backwards; nothing was applied.".into(),
            ));
        }
        let (now, tx) = self.begin()?;
        let mut changed = Vec::new();
        let mut reached = cursor;
        let mut held = false;
        for e in events.iter().filter(|e| e.seq > cursor) {
            if waits_for_its_invitation(&tx, e, now)? {
                held = true;
                break;
            }
            if let Some(member) = apply_event(&tx, e, now, &mut intake)? {
                changed.push(member);
            }
            reached = e.seq;
        }
        let reached = if held { reached } else { next_cursor };
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, reached.to_string()],
        )?;
        tx.commit()?;
        if !changed.is_empty() {
            self.touch_members(&changed);
        }
        Ok(changed)
    }
}

/// How long an event about an invitation not known here yet may hold the feed (see
/// [`Directory::apply_gateway_events`]): far longer than a creation's answer takes to be
/// recorded, short enough that an event about an invitation removed here is not kept waiting.
pub const HOLD_UNKNOWN_MS: i64 = 10 * 60 * 1000;

/// Whether `e` names an invitation by a gateway id not recorded here yet while an invitation
/// waits for the answer to its creation (which will record its id), and is recent.
fn waits_for_its_invitation(tx: &Connection, e: &Event, now: i64) -> CoreResult<bool> {
    let gateway_id = match &e.kind {
        EventKind::InvitationDelivered { invitation_id, .. }
        | EventKind::InvitationFailed { invitation_id, .. }
        | EventKind::InvitationOpened { invitation_id }
        | EventKind::Registered { invitation_id, .. }
        | EventKind::Declined { invitation_id }
        | EventKind::InvitationExpired { invitation_id }
        | EventKind::InvitationBounced { invitation_id, .. } => invitation_id,
        _ => return Ok(false),
    };
    if e.at.saturating_mul(1000) < now.saturating_sub(HOLD_UNKNOWN_MS) {
        return Ok(false);
    }
    if by_gateway_id(tx, gateway_id)?.is_some() {
        return Ok(false);
    }
    // Or, on a computer of a team, while an invitation another computer sent waits for that
    // computer to tell the gateway's id through the log.
    let creating: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM invitations
                        WHERE gateway_id IS NULL
                          AND (pending_action = 'create'
                               OR (pending_action IS NULL AND state = 'queued')))",
        [],
        |r| r.get(0),
    )?;
    Ok(creating)
}

/// An invitation as a registration goes through it: row id, member, member name, state.
pub(super) type Through = (i64, MemberId, String, String);

/// The invitation a gateway id stands for.
fn by_gateway_id(tx: &Connection, gateway_id: &str) -> rusqlite::Result<Option<Through>> {
    invitation_where(tx, "i.gateway_id = ?1", gateway_id)
}

pub(super) fn invitation_where(
    tx: &Connection,
    condition: &str,
    value: &str,
) -> rusqlite::Result<Option<Through>> {
    tx.query_row(
        &format!(
            "SELECT i.id, i.member_id, m.name, i.state FROM invitations i JOIN members m ON m.id = i.member_id
             WHERE {condition}"
        ),
        [value],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

/// The longest Message-ID recorded from the feed (a mail header line's limit).
const MAX_MESSAGE_ID: usize = 998;

fn set_state(
    tx: &Connection,
    id: i64,
    state: &str,
    reason: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE invitations SET state = ?2, last_error = coalesce(?3, last_error), updated_at = ?4
         WHERE id = ?1",
        params![id, state, reason, now],
    )?;
    Ok(())
}

/// What the feed hands to its intake (see [`Directory::apply_gateway_events_with`]).
pub(crate) enum Intake<'a> {
    /// A join request, as the directory reads it.
    Join(&'a JoinRequestIn),
    /// A member event that changes the directory ([`apply_member_event`]).
    Member(&'a Event),
}

/// What takes the feed's join requests and member events in.
type FeedIntake<'a> = dyn FnMut(&Connection, Intake<'_>, i64) -> CoreResult<Option<MemberId>> + 'a;

/// How a member event is applied: straight from this computer's feed, or from a
/// `member.event` change of the team's log, where only its author's computer tells the
/// gateway of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Applying {
    Directly,
    FromLog(TellGateway),
}

fn apply_event(
    tx: &Connection,
    e: &Event,
    now: i64,
    intake: &mut FeedIntake<'_>,
) -> CoreResult<Option<MemberId>> {
    match &e.kind {
        EventKind::InvitationDelivered {
            invitation_id,
            message_id,
            kept,
        } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if state == "sent" || state == "queued" {
                    set_state(tx, id, "delivered", None, now)?;
                    // A message kept in the gateway's folder is found there by its Message-ID;
                    // one too long to be a Message-ID is kept all the same, just not findable.
                    let kept_id = kept.then(|| {
                        if message_id.len() <= MAX_MESSAGE_ID {
                            message_id.as_str()
                        } else {
                            ""
                        }
                    });
                    tx.execute(
                        "UPDATE invitations SET kept_message_id = ?2 WHERE id = ?1",
                        params![id, kept_id],
                    )?;
                }
            }
        }
        // A bounce (reported after the mail was accepted) fails the invitation as a failed
        // delivery does.
        EventKind::InvitationFailed {
            invitation_id,
            reason,
        }
        | EventKind::InvitationBounced {
            invitation_id,
            reason,
        } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if InvitationState::parse(&state).is_open() {
                    set_state(tx, id, "failed", Some(reason), now)?;
                }
            }
        }
        EventKind::InvitationOpened { invitation_id } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if matches!(state.as_str(), "queued" | "sent" | "delivered") {
                    set_state(tx, id, "opened", None, now)?;
                }
            }
        }
        EventKind::Declined { invitation_id } => {
            // Only an open invitation can be declined: a late or replayed decline never moves a
            // registered, cancelled or already declined one.
            if let Some((id, member, name, _)) = by_gateway_id(tx, invitation_id)?
                .filter(|(_, _, _, state)| InvitationState::parse(state).is_open())
            {
                set_state(tx, id, "declined", None, now)?;
                audit::record(
                    tx,
                    now,
                    &Actor::member(member, name.clone()),
                    audit::Entry::member("member.invite_declined", member, &name),
                )?;
            }
        }
        EventKind::InvitationExpired { invitation_id } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if InvitationState::parse(&state).is_open() && state != "queued" {
                    set_state(tx, id, "expired", None, now)?;
                }
            }
        }
        // A sign-in moves only the member's last login, this computer's own.
        EventKind::SignedIn { .. } => {
            return crate::member_events::apply(tx, &e.kind, e.at.saturating_mul(1000), now);
        }
        EventKind::PasswordChanged { .. }
        | EventKind::PersonalDetailsChanged { .. }
        | EventKind::Registered { .. } => return intake(tx, Intake::Member(e), now),
        EventKind::JoinRequested {
            request_id,
            via,
            details,
            account_id,
            username,
            password_hash,
            approval_required,
        } => {
            // A field sent blank was not given.
            let given = |field| {
                let value = details.field(field)?;
                (!value.trim().is_empty()).then(|| value.to_owned())
            };
            let request = JoinRequestIn {
                gateway_id: request_id.clone(),
                via: match via {
                    orgdesk_protocol::JoinVia::Code => "code".into(),
                    orgdesk_protocol::JoinVia::Link => "link".into(),
                },
                details: JoinerDetails::new(details.name.clone(), given),
                account_id: account_id.clone(),
                username: username.clone(),
                password_hash: password_hash.clone(),
                approval_required: *approval_required,
            };
            return intake(tx, Intake::Join(&request), now);
        }
        // Password reset mail is followed on the gateway; the directory keeps no record of it.
        EventKind::PasswordResetDelivered { .. } | EventKind::PasswordResetFailed { .. } => {}
    }
    Ok(None)
}

/// Applies a member event that changes the directory — a registration through an invitation,
/// a password or a member's own details changed — the same whether it comes straight from the
/// feed or from a `member.event` change of a team's log (`how`); answers the member whose
/// record changed.
pub(crate) fn apply_member_event(
    tx: &Connection,
    e: &Event,
    now: i64,
    how: Applying,
) -> CoreResult<Option<MemberId>> {
    let (invitation_id, account_id) = match &e.kind {
        EventKind::Registered {
            invitation_id,
            account_id,
            ..
        } => (invitation_id, account_id),
        // `at` is the gateway's word: a time past the year 292 million saturates.
        other => return crate::member_events::apply(tx, other, e.at.saturating_mul(1000), now),
    };
    // A registration through an invitation not known here is refused to the person only from
    // this computer's own feed: in a team's log it waits for the invitation to be told of
    // (`Directory::apply_logged_member_event`).
    let Some(invitation) = by_gateway_id(tx, invitation_id)? else {
        if let Some(account) = account_id.as_ref().filter(|_| how == Applying::Directly) {
            refuse_account(
                tx,
                account,
                "This invitation is no longer open in the organization's directory.",
            )?;
        }
        return Ok(None);
    };
    apply_registration(tx, e, invitation, now, how)
}

/// Applies the registration `e` through `invitation` (row id, member, member name, state).
pub(super) fn apply_registration(
    tx: &Connection,
    e: &Event,
    (id, member, name, state): Through,
    now: i64,
    how: Applying,
) -> CoreResult<Option<MemberId>> {
    let EventKind::Registered {
        account_id,
        username,
        password_hash,
        ..
    } = &e.kind
    else {
        return Ok(None);
    };
    let Some(account_id) = account_id.as_deref().filter(|a| valid_account_id(a)) else {
        let reason = format!(
            "{name} registered through a gateway that does not name accounts; update \
             the gateway and invite {name} again."
        );
        set_state(tx, id, "failed", Some(&reason), now)?;
        return Ok(None);
    };
    // The same registration again (a replayed page): nothing more to do.
    if let Some((bound, _)) = member_by_account(tx, account_id)? {
        if bound != member {
            let reason = format!(
                "This account already belongs to another member of the directory, so it \
                 cannot also be {name}."
            );
            audit_refused_event(tx, now, Some((member, &name)), "registered", &reason)?;
            if InvitationState::parse(&state).is_open() {
                set_state(tx, id, "failed", Some(&reason), now)?;
            }
        }
        return Ok(None);
    }
    let refuse = |reason: &str, person_reason: &str| -> CoreResult<Option<MemberId>> {
        set_state(tx, id, "failed", Some(reason), now)?;
        audit_refused_event(tx, now, Some((member, &name)), "registered", reason)?;
        if how != Applying::FromLog(TellGateway::LeftToAuthor) {
            refuse_account(tx, account_id, person_reason)?;
        }
        Ok(None)
    };
    if !InvitationState::parse(&state).is_open() {
        return refuse(
            &format!("{name} registered after the invitation was {state}."),
            "This invitation was withdrawn before you registered.",
        );
    }
    if let Err(problem) = orgdesk_rules::password::check_password_hash(password_hash) {
        return refuse(
            &format!("{name}'s registration was refused: {problem}."),
            "Your registration could not be accepted. Ask the organization for a new invitation.",
        );
    }
    let key = match Username::parse(username) {
        Ok(u) => u.key(),
        Err(problem) => {
            return refuse(
                &format!(
                    "{name} registered as \"{username}\", which this directory cannot accept: {}",
                    problem.reason
                ),
                &format!(
                    "The username \"{username}\" cannot be used in this organization: {}",
                    problem.reason
                ),
            );
        }
    };
    if member_row::held_by_another(tx, "username_key", &key, member)? {
        return refuse(
            &format!(
                "{name} registered as \"{username}\", but that username is already used \
                 in this directory. Invite {name} again so they can choose another."
            ),
            &format!(
                "The username \"{username}\" is already used in this organization. Ask \
                 for a new invitation and choose another username."
            ),
        );
    }
    let status: String =
        tx.query_row("SELECT status FROM members WHERE id = ?1", [member], |r| {
            r.get(0)
        })?;
    if status != "not_joined" {
        return refuse(
            &format!("{name} registered, but is no longer waiting to join ({status})."),
            "Your registration could not be accepted: the organization's directory no \
             longer expects it.",
        );
    }
    // Joined when the gateway says: the same time on every computer of a team.
    let joined_at = e.at.saturating_mul(1000);
    tx.execute(
        "UPDATE members SET username = ?2, username_key = ?3, password_hash = ?4,
             status = 'enabled', activated_at = ?5, updated_at = ?5,
             search_text = search_text || ?6, gateway_account_id = ?7
         WHERE id = ?1",
        params![
            member,
            username,
            key,
            password_hash,
            joined_at,
            format!("{}\u{1}", fold_search(username)),
            account_id
        ],
    )?;
    set_state(tx, id, "registered", None, now)?;
    audit::record(
        tx,
        now,
        &Actor::member(member, name.clone()),
        audit::Entry::member("member.joined", member, &name)
            .before(json!({"status": "not_joined"}))
            .after(json!({"status": "enabled", "username": username})),
    )?;
    Ok(Some(member))
}
