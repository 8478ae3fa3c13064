//! Inviting: one invitation queued per Not Joined member, in one transaction, and the
//! invitations sent after an import.

use orgdesk_rules::Lang;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::changes::close_open_invitations;
use super::{new_idempotency_key, InviteChannel, InviteOutcome};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::join::TellGateway;
use crate::store::Directory;
use crate::types::{MemberId, MemberStatus};

/// How invitations are written: with fresh idempotency keys (the window's and the command
/// line's own invitations), or with the keys a change of the team's log carries, one a member,
/// so that every computer records the same invitations; and whether this computer queues the
/// gateway's work (the change's author) or leaves it to the computer that made the change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sending<'a> {
    pub(crate) keys: Option<&'a [String]>,
    pub(crate) tell: TellGateway,
}

/// The inviter and member fields an invitation is built from.
struct Invitee {
    name: String,
    status: MemberStatus,
    email: Option<String>,
    mobile: Option<String>,
}

impl Directory {
    /// Queues an invitation for each member, over `channel`. Only Not Joined members are
    /// invited; the others are listed in `skipped` with the reason. A member's earlier open
    /// invitation is cancelled (its link stops working). One transaction for all. In the
    /// organization's invitation language.
    pub fn invite_members(
        &mut self,
        actor: &Actor,
        members: &[MemberId],
        channel: InviteChannel,
    ) -> CoreResult<InviteOutcome> {
        self.invite_members_in(actor, members, channel, None)
    }

    /// [`Directory::invite_members`] in `language` (the mail, the text message and the
    /// invitee's pages); the organization's invitation language when `None`.
    pub fn invite_members_in(
        &mut self,
        actor: &Actor,
        members: &[MemberId],
        channel: InviteChannel,
        language: Option<Lang>,
    ) -> CoreResult<InviteOutcome> {
        let sending = Sending {
            keys: None,
            tell: TellGateway::Yes,
        };
        self.invite_members_with(actor, members, channel, language, sending)
    }

    /// [`Directory::invite_members_in`], its invitations written as `sending` says.
    pub(crate) fn invite_members_with(
        &mut self,
        actor: &Actor,
        members: &[MemberId],
        channel: InviteChannel,
        language: Option<Lang>,
        sending: Sending<'_>,
    ) -> CoreResult<InviteOutcome> {
        CoreError::unless_chosen(members, "members", "Choose at least one member to invite.")?;
        let language = match language {
            Some(l) => l,
            None => self.invitation_language()?,
        };
        let inviter = actor.name.clone();
        let (now, tx) = self.begin()?;
        let mut invited = 0u32;
        let mut skipped = Vec::new();
        let pending = (sending.tell == TellGateway::Yes).then_some("create");
        // Written from a team's log: its gateway id is the log's to tell.
        let linked_in_log = sending.keys.map(|_| 0);
        for (i, &id) in members.iter().enumerate() {
            let key = match sending.keys.and_then(|keys| keys.get(i)) {
                Some(key) => key.clone(),
                None => new_idempotency_key(),
            };
            let Some(m) = invitee(&tx, id)? else {
                skipped.push(ErrorDetail::field(
                    "members",
                    "not_found",
                    format!("Member {} no longer exists.", id.0),
                ));
                continue;
            };
            if m.status != MemberStatus::NotJoined {
                skipped.push(ErrorDetail::field(
                    &m.name,
                    "already_joined",
                    format!(
                        "{} has already joined or is not waiting to join; only Not Joined members are invited.",
                        m.name
                    ),
                ));
                continue;
            }
            let recipient = match channel {
                InviteChannel::Email => m.email.clone(),
                InviteChannel::Sms => m.mobile.clone(),
                InviteChannel::Link => m.email.clone().or(m.mobile.clone()),
            };
            let Some(recipient) =
                recipient.or_else(|| (channel == InviteChannel::Link).then(|| m.name.clone()))
            else {
                let (code, what) = match channel {
                    InviteChannel::Email => ("no_email", "email address"),
                    _ => ("no_mobile", "mobile number"),
                };
                skipped.push(ErrorDetail::field(
                    &m.name,
                    code,
                    format!("{} has no {what}; add one or send a link instead.", m.name),
                ));
                continue;
            };
            close_open_invitations(&tx, id, now, sending.tell)?;
            tx.execute(
                "INSERT INTO invitations (member_id, channel, recipient, state, idempotency_key,
                     invited_by, inviter_name, created_at, updated_at, pending_action, next_attempt_at,
                     locale, linked_in_log)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?7, ?9, 0, ?8, ?10)",
                params![
                    id,
                    channel.as_str(),
                    recipient,
                    key,
                    actor.id,
                    inviter,
                    now,
                    language.code(),
                    pending,
                    linked_in_log
                ],
            )?;
            audit::record(
                &tx,
                now,
                actor,
                audit::Entry::member("member.invite", id, &m.name)
                    .after(json!({"channel": channel.as_str(), "recipient": recipient,
                                  "language": language.code()})),
            )?;
            invited += 1;
        }
        tx.commit()?;
        Ok(InviteOutcome { invited, skipped })
    }
}

fn invitee(tx: &Connection, id: MemberId) -> rusqlite::Result<Option<Invitee>> {
    tx.query_row(
        "SELECT name, status, email, mobile FROM members WHERE id = ?1",
        [id],
        |r| {
            let status: String = r.get(1)?;
            Ok(Invitee {
                name: r.get(0)?,
                status: if status == MemberStatus::NotJoined.as_str() {
                    MemberStatus::NotJoined
                } else {
                    MemberStatus::Enabled
                },
                email: r.get(2)?,
                mobile: r.get(3)?,
            })
        },
    )
    .optional()
}

impl Directory {
    /// Invites every Not Joined member created since `since_ms` who has never been invited:
    /// by email when they have an address, else by SMS. For "send invitations" after an import.
    pub fn invite_new_members_since(
        &mut self,
        actor: &Actor,
        since_ms: i64,
    ) -> CoreResult<InviteOutcome> {
        let mut out = InviteOutcome {
            invited: 0,
            skipped: Vec::new(),
        };
        for (channel, ids) in self.new_invitees_since(since_ms)? {
            let part = self.invite_members(actor, &ids, channel)?;
            out.invited += part.invited;
            out.skipped.extend(part.skipped);
        }
        Ok(out)
    }

    /// The Not Joined members created since `since_ms` who have never been invited, by the
    /// channel they are invited over: email when they have an address, else SMS (none listed
    /// for a channel that has nobody).
    pub fn new_invitees_since(
        &self,
        since_ms: i64,
    ) -> CoreResult<Vec<(InviteChannel, Vec<MemberId>)>> {
        let pick = |channel: &str| -> CoreResult<Vec<MemberId>> {
            let column = if channel == "email" {
                "email"
            } else {
                "mobile"
            };
            let mut stmt = self.conn.prepare(&format!(
                "SELECT m.id FROM members m
                 WHERE m.status = 'not_joined' AND m.created_at >= ?1 AND m.{column} IS NOT NULL
                   AND (?2 = 'email' OR m.email IS NULL)
                   AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.member_id = m.id)
                 ORDER BY m.id"
            ))?;
            let rows = stmt.query_map(params![since_ms, channel], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let groups = [
            (InviteChannel::Email, pick("email")?),
            (InviteChannel::Sms, pick("sms")?),
        ];
        Ok(groups
            .into_iter()
            .filter(|(_, ids)| !ids.is_empty())
            .collect())
    }
}
