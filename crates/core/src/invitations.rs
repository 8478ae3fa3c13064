//! Invitations: the directory's record of every invitation sent to a Not Joined member, the
//! durable queue of what the gateway still has to be told, and the application of the
//! gateway's events (delivered, opened, registered, declined, …) to the directory.
//!
//! Nothing here speaks HTTP. The desktop's sync worker asks for [`Directory::due_gateway_work`],
//! carries each item out against the gateway, reports back with
//! [`Directory::gateway_work_done`], and hands every page of the event feed to
//! [`Directory::apply_gateway_events`]. Because the request is written before it is sent
//! and every create carries its idempotency key, a crash or an unreachable gateway delays an
//! invitation but never loses or doubles it.

use orgdesk_protocol::{Channel, CreateInvitation, Event, EventKind};
use rand::RngCore;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::{
    audit_refused_event, member_by_account, refuse_account, valid_account_id,
};
use crate::store::Directory;
use crate::types::{fold_search, MemberId, MemberStatus, Username};

/// How an invitation reaches the invitee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InviteChannel {
    /// A mail to the member's email address.
    Email,
    /// A text message to the member's mobile number.
    Sms,
    /// Nothing is sent: the admin copies the link and passes it on.
    Link,
}

impl InviteChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Link => "link",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "email" => Self::Email,
            "sms" => Self::Sms,
            _ => Self::Link,
        }
    }

    fn wire(self) -> Channel {
        match self {
            Self::Email => Channel::Email,
            Self::Sms => Channel::Sms,
            Self::Link => Channel::Link,
        }
    }
}

/// Where an invitation stands, as the admin sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// Written here; the gateway has not confirmed it yet (it may be unreachable).
    Queued,
    /// The gateway accepted it and is sending it (or, for a link, the link is ready).
    Sent,
    /// The mail or text reached the next hop.
    Delivered,
    /// The invitee opened the invitation page.
    Opened,
    /// It could not be delivered; see the reason. Resend or cancel.
    Failed,
    Registered,
    Declined,
    Expired,
    Cancelled,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Opened => "opened",
            Self::Failed => "failed",
            Self::Registered => "registered",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "opened" => Self::Opened,
            "failed" => Self::Failed,
            "registered" => Self::Registered,
            "declined" => Self::Declined,
            "expired" => Self::Expired,
            _ => Self::Cancelled,
        }
    }

    /// Still waiting for the invitee: can be resent or cancelled.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Sent | Self::Delivered | Self::Opened | Self::Failed
        )
    }
}

/// One invitation in the Invitations list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub member_id: MemberId,
    pub member_name: String,
    pub channel: InviteChannel,
    pub recipient: String,
    pub state: InvitationState,
    /// The invitation link, once the gateway made it.
    pub link: Option<String>,
    pub inviter_name: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Milliseconds since the epoch.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// Why the last attempt failed, or why delivery gave up.
    pub last_error: Option<String>,
    /// The gateway still has to be told something (create, resend or cancel).
    pub awaiting_gateway: bool,
}

/// Which invitations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationQuery {
    /// Only these states; all when empty.
    #[serde(default)]
    pub states: Vec<InvitationState>,
    /// Only the invitations of this member.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub member_id: Option<MemberId>,
    /// Rows to pass over (for a page after the first).
    #[serde(default)]
    pub offset: u32,
    /// Rows at most (`MAX_INVITATION_PAGE` at most; that many when absent).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The most invitations one answer holds.
pub const MAX_INVITATION_PAGE: u32 = 5_000;

/// One page of invitations and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPage {
    pub rows: Vec<InvitationRow>,
    pub total: u32,
}

/// The answer to "invite these members".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteOutcome {
    pub invited: u32,
    /// Members that could not be invited, each with the reason (field = the member's name).
    pub skipped: Vec<ErrorDetail>,
}

/// Counts for the status line of the Invitations screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCounts {
    /// Waiting for the gateway (queued creates, resends and cancels).
    pub awaiting_gateway: u32,
    /// Open invitations (not yet registered, declined, expired or cancelled).
    pub open: u32,
    pub failed: u32,
}

/// What the Invitations screen shows about the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayStatus {
    /// `embedded` (in this app, on loopback) or `unavailable` (it could not start).
    pub mode: String,
    /// The gateway's address, when known.
    pub url: Option<String>,
    /// The last call reached the gateway.
    pub connected: bool,
    /// Why the last call failed, in words for the admin.
    pub last_error: Option<String>,
    /// Where the embedded gateway writes the mail it "sends".
    pub mail_folder: Option<String>,
}

/// What the gateway still has to be told about one invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAction {
    /// Create it; retried with the same idempotency key until the gateway answers.
    Create(CreateInvitation),
    /// Send a fresh link (the old one stops working).
    Resend,
    /// Cancel it on the gateway.
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayWork {
    pub invitation_id: i64,
    pub idempotency_key: String,
    /// The gateway's id, known once a create succeeded (always set for resend and cancel).
    pub gateway_id: Option<String>,
    pub action: GatewayAction,
    pub attempts: u32,
}

/// How a piece of gateway work ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkResult {
    /// Created or resent: the link and its expiry (Unix seconds).
    Linked {
        gateway_id: String,
        link: String,
        expires_at_secs: i64,
    },
    Cancelled,
    /// The gateway refused for good (invalid recipient, invitation already closed): the
    /// invitation is marked failed with this reason.
    Refused(String),
    /// Could not reach the gateway or it failed for now: try again later.
    Retry(String),
}

/// A change queued for the gateway besides invitations (see migrations 0004 and 0008).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    /// `join_decision` (account states now travel with the account mirror).
    pub kind: String,
    /// The gateway's join request id.
    pub target: String,
    /// `approved` or `rejected`.
    pub value: String,
    pub attempts: u32,
}

/// How delivering an [`OutboxItem`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxResult {
    /// Done, or refused for good (the gateway has no account by that name): forget it.
    Done,
    Retry(String),
}

/// The first retry waits this long; each further one twice as long, up to [`RETRY_MAX_MS`].
const RETRY_INITIAL_MS: i64 = 5_000;
const RETRY_MAX_MS: i64 = 15 * 60 * 1000;

const CURSOR_KEY: &str = "gateway_event_cursor";

/// The inviter and member fields an invitation is built from.
struct Invitee {
    name: String,
    status: MemberStatus,
    email: Option<String>,
    mobile: Option<String>,
}

/// A fresh 128-bit key that makes a create request to the gateway safe to retry.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn retry_delay_ms(attempts: u32) -> i64 {
    let shift = attempts.saturating_sub(1).min(20);
    (RETRY_INITIAL_MS << shift).min(RETRY_MAX_MS)
}

impl Directory {
    /// Queues an invitation for each member, over `channel`. Only Not Joined members are
    /// invited; the others are listed in `skipped` with the reason. A member's earlier open
    /// invitation is cancelled (its link stops working). One transaction for all.
    pub fn invite_members(
        &mut self,
        actor: &Actor,
        members: &[MemberId],
        channel: InviteChannel,
    ) -> CoreResult<InviteOutcome> {
        if members.is_empty() {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                "members",
                "required",
                "Choose at least one member to invite.",
            )]));
        }
        let now = self.now_ms();
        let inviter = actor.name.clone();
        let tx = self.conn.transaction()?;
        let mut invited = 0u32;
        let mut skipped = Vec::new();
        for &id in members {
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
                    InviteChannel::Email => ("no_email", "an email address"),
                    _ => ("no_mobile", "a mobile number"),
                };
                skipped.push(ErrorDetail::field(
                    &m.name,
                    code,
                    format!("{} has no {what}; add one or send a link instead.", m.name),
                ));
                continue;
            };
            close_open_invitations(&tx, id, now)?;
            tx.execute(
                "INSERT INTO invitations (member_id, channel, recipient, state, idempotency_key,
                     invited_by, inviter_name, created_at, updated_at, pending_action, next_attempt_at)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?7, 'create', 0)",
                params![id, channel.as_str(), recipient, new_idempotency_key(), actor.id, inviter, now],
            )?;
            audit::record(
                &tx,
                now,
                actor,
                audit::Entry {
                    action: "member.invite",
                    target_type: "member",
                    target_id: Some(id.0),
                    target_name: Some(&m.name),
                    before: None,
                    after: Some(json!({"channel": channel.as_str(), "recipient": recipient})),
                },
            )?;
            invited += 1;
        }
        tx.commit()?;
        Ok(InviteOutcome { invited, skipped })
    }

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
            audit::Entry {
                action: "member.invite_resend",
                target_type: "member",
                target_id: Some(member.0),
                target_name: Some(&name),
                before: None,
                after: None,
            },
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
            audit::Entry {
                action: "member.invite_cancel",
                target_type: "member",
                target_id: Some(member.0),
                target_name: Some(&name),
                before: None,
                after: None,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One page of the invitations `q` asks for, newest first, with how many match in all.
    pub fn invitation_page(&self, q: &InvitationQuery) -> CoreResult<InvitationPage> {
        let rows = self.list_invitations(q)?;
        let (states_json, _) = states_filter(q);
        let total = self.conn.query_row(
            "SELECT count(*) FROM invitations i
             WHERE (?1 = '[]' OR i.state IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR i.member_id = ?2)",
            params![states_json, q.member_id],
            |r| r.get(0),
        )?;
        Ok(InvitationPage { rows, total })
    }

    /// Invitations, newest first: from `q.offset`, `q.limit` of them (at most
    /// `MAX_INVITATION_PAGE`).
    pub fn list_invitations(&self, q: &InvitationQuery) -> CoreResult<Vec<InvitationRow>> {
        let (states_json, limit) = states_filter(q);
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.member_id, m.name, i.channel, i.recipient, i.state, i.link, i.inviter_name,
                    i.created_at, i.updated_at, i.expires_at, i.last_error, i.pending_action IS NOT NULL
             FROM invitations i JOIN members m ON m.id = i.member_id
             WHERE (?1 = '[]' OR i.state IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR i.member_id = ?2)
             ORDER BY i.created_at DESC, i.id DESC
             LIMIT ?3 OFFSET ?4",
        )?;
        let rows = stmt.query_map(params![states_json, q.member_id, limit, q.offset], |r| {
            Ok(InvitationRow {
                id: r.get(0)?,
                member_id: r.get(1)?,
                member_name: r.get(2)?,
                channel: InviteChannel::parse(&r.get::<_, String>(3)?),
                recipient: r.get(4)?,
                state: InvitationState::parse(&r.get::<_, String>(5)?),
                link: r.get(6)?,
                inviter_name: r.get(7)?,
                created_at: r.get(8)?,
                updated_at: r.get(9)?,
                expires_at: r.get(10)?,
                last_error: r.get(11)?,
                awaiting_gateway: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn invitation_counts(&self) -> CoreResult<InvitationCounts> {
        Ok(self.conn.query_row(
            "SELECT
                 count(*) FILTER (WHERE pending_action IS NOT NULL)
                     + (SELECT count(*) FROM gateway_outbox),
                 count(*) FILTER (WHERE state IN ('queued', 'sent', 'delivered', 'opened', 'failed')),
                 count(*) FILTER (WHERE state = 'failed')
             FROM invitations",
            [],
            |r| {
                Ok(InvitationCounts {
                    awaiting_gateway: r.get(0)?,
                    open: r.get(1)?,
                    failed: r.get(2)?,
                })
            },
        )?)
    }

    /// The work due at this moment, oldest first.
    pub fn due_gateway_work(&self, limit: u32) -> CoreResult<Vec<GatewayWork>> {
        let now = self.now_ms();
        let org = self.organization_name()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.idempotency_key, i.gateway_id, i.pending_action, i.attempts, i.channel,
                    i.recipient, m.name, i.inviter_name,
                    (SELECT d.name FROM positions p JOIN departments d ON d.id = p.department_id
                      WHERE p.member_id = m.id AND p.is_primary = 1),
                    (SELECT p.title FROM positions p WHERE p.member_id = m.id AND p.is_primary = 1)
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
                    locale: None,
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
        let now = self.now_ms();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, target, value, attempts FROM gateway_outbox
             WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit], |r| {
            Ok(OutboxItem {
                id: r.get(0)?,
                kind: r.get(1)?,
                target: r.get(2)?,
                value: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// Records how a piece of work ended. Work that was replaced meanwhile (the admin
    /// cancelled while a create was in flight) keeps its newer pending action.
    pub fn gateway_work_done(&mut self, work: &GatewayWork, result: WorkResult) -> CoreResult<()> {
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
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
                // Even when superseded, remember the gateway's id: a later cancel needs it.
                tx.execute(
                    "UPDATE invitations SET gateway_id = ?2, link = ?3, expires_at = ?4, updated_at = ?5
                     WHERE id = ?1",
                    params![
                        work.invitation_id,
                        gateway_id,
                        link,
                        expires_at_secs.saturating_mul(1000),
                        now
                    ],
                )?;
                if same_action {
                    tx.execute(
                        "UPDATE invitations SET state = 'sent', pending_action = NULL, attempts = 0,
                             last_error = NULL WHERE id = ?1",
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
                    let state = if matches!(work.action, GatewayAction::Cancel) {
                        "cancelled"
                    } else {
                        "failed"
                    };
                    tx.execute(
                        "UPDATE invitations SET pending_action = NULL, state = ?2, last_error = ?3,
                             updated_at = ?4 WHERE id = ?1",
                        params![work.invitation_id, state, reason, now],
                    )?;
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
    pub fn apply_gateway_events(
        &mut self,
        events: &[Event],
        next_cursor: i64,
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
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        let mut changed = Vec::new();
        for e in events.iter().filter(|e| e.seq > cursor) {
            if let Some(member) = apply_event(&tx, e, now)? {
                changed.push(member);
            }
        }
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, next_cursor.to_string()],
        )?;
        tx.commit()?;
        if !changed.is_empty() {
            self.touch_members(&changed);
        }
        Ok(changed)
    }
}

fn invitee(tx: &Transaction<'_>, id: MemberId) -> rusqlite::Result<Option<Invitee>> {
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

fn close_open_invitations(
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

/// The invitation (row id, member, member name) a gateway id stands for.
fn by_gateway_id(
    tx: &Transaction<'_>,
    gateway_id: &str,
) -> rusqlite::Result<Option<(i64, MemberId, String, String)>> {
    tx.query_row(
        "SELECT i.id, i.member_id, m.name, i.state FROM invitations i JOIN members m ON m.id = i.member_id
         WHERE i.gateway_id = ?1",
        [gateway_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
}

fn set_state(
    tx: &Transaction<'_>,
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

fn apply_event(tx: &Transaction<'_>, e: &Event, now: i64) -> CoreResult<Option<MemberId>> {
    match &e.kind {
        EventKind::InvitationDelivered { invitation_id, .. } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if state == "sent" || state == "queued" {
                    set_state(tx, id, "delivered", None, now)?;
                }
            }
        }
        EventKind::InvitationFailed {
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
                    &Actor {
                        id: Some(member),
                        name: name.clone(),
                    },
                    audit::Entry {
                        action: "member.invite_declined",
                        target_type: "member",
                        target_id: Some(member.0),
                        target_name: Some(&name),
                        before: None,
                        after: None,
                    },
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
        EventKind::SignedIn { .. }
        | EventKind::PasswordChanged { .. }
        | EventKind::PersonalDetailsChanged { .. } => {
            // `at` is the gateway's word: a time past the year 292 million saturates.
            return crate::member_events::apply(tx, &e.kind, e.at.saturating_mul(1000), now);
        }
        EventKind::InvitationBounced {
            invitation_id,
            reason,
        } => {
            if let Some((id, _, _, state)) = by_gateway_id(tx, invitation_id)? {
                if InvitationState::parse(&state).is_open() {
                    set_state(tx, id, "failed", Some(reason), now)?;
                }
            }
        }
        EventKind::JoinRequested {
            request_id,
            via,
            name,
            email,
            mobile,
            employee_id,
            work_location,
            account_id,
            username,
            password_hash,
            approval_required,
        } => {
            let request = crate::join::JoinRequestIn {
                gateway_id: request_id.clone(),
                via: match via {
                    orgdesk_protocol::JoinVia::Code => "code".into(),
                    orgdesk_protocol::JoinVia::Link => "link".into(),
                },
                name: name.clone(),
                email: email.clone().filter(|v| !v.trim().is_empty()),
                mobile: mobile.clone().filter(|v| !v.trim().is_empty()),
                employee_id: employee_id.clone().filter(|v| !v.trim().is_empty()),
                work_location: work_location.clone().filter(|v| !v.trim().is_empty()),
                account_id: account_id.clone(),
                username: username.clone(),
                password_hash: password_hash.clone(),
                approval_required: *approval_required,
            };
            return crate::join::record(tx, &request, now);
        }
        // Password reset mail is followed on the gateway; the directory keeps no record of it.
        EventKind::PasswordResetDelivered { .. } | EventKind::PasswordResetFailed { .. } => {}
        EventKind::Registered {
            invitation_id,
            account_id,
            username,
            password_hash,
        } => {
            let Some((id, member, name, state)) = by_gateway_id(tx, invitation_id)? else {
                if let Some(account) = account_id {
                    refuse_account(
                        tx,
                        account,
                        "This invitation is no longer open in the organization's directory.",
                    )?;
                }
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
                refuse_account(tx, account_id, person_reason)?;
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
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM members WHERE username_key = ?1 AND id <> ?2",
                    params![key, member],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
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
                    now,
                    format!("{}\u{1}", fold_search(username)),
                    account_id
                ],
            )?;
            set_state(tx, id, "registered", None, now)?;
            audit::record(
                tx,
                now,
                &Actor {
                    id: Some(member),
                    name: name.clone(),
                },
                audit::Entry {
                    action: "member.joined",
                    target_type: "member",
                    target_id: Some(member.0),
                    target_name: Some(&name),
                    before: Some(json!({"status": "not_joined"})),
                    after: Some(json!({"status": "enabled", "username": username})),
                },
            )?;
            return Ok(Some(member));
        }
    }
    Ok(None)
}

/// Who a password reset is for, read from the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTarget {
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub organization_name: String,
}

/// What the admin sees after sending a password reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetSent {
    pub channel: InviteChannel,
    /// The address the mail went to, for `email`.
    pub recipient: Option<String>,
    /// The reset link, for the admin to pass on when the channel is `link`.
    pub link: Option<String>,
    #[ts(type = "number")]
    pub expires_at: i64,
}

impl Directory {
    /// The member a password reset is for: only an Enabled member with a username.
    pub fn password_reset_target(&self, id: MemberId) -> CoreResult<ResetTarget> {
        let row: Option<(String, Option<String>, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT name, username, email, status FROM members WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((name, username, email, status)) = row else {
            return Err(CoreError::NotFound("This member no longer exists.".into()));
        };
        let Some(username) = username.filter(|_| status == "enabled") else {
            return Err(CoreError::Conflict(format!(
                "{name} has no enabled account, so there is no password to reset."
            )));
        };
        Ok(ResetTarget {
            name,
            username,
            email,
            organization_name: self.organization_name()?,
        })
    }

    /// Records in the member's history that a reset link was sent (never the link itself).
    pub fn record_password_reset(
        &mut self,
        actor: &Actor,
        id: MemberId,
        channel: InviteChannel,
    ) -> CoreResult<()> {
        let now = self.now_ms();
        let name: String =
            self.conn
                .query_row("SELECT name FROM members WHERE id = ?1", [id], |r| r.get(0))?;
        audit::record(
            &self.conn,
            now,
            actor,
            audit::Entry {
                action: "member.password_reset_sent",
                target_type: "member",
                target_id: Some(id.0),
                target_name: Some(&name),
                before: None,
                after: Some(json!({"channel": channel.as_str()})),
            },
        )?;
        Ok(())
    }
}

impl Directory {
    /// Invites every Not Joined member created since `since_ms` who has never been invited:
    /// by email when they have an address, else by SMS. For "send invitations" after an import.
    pub fn invite_new_members_since(
        &mut self,
        actor: &Actor,
        since_ms: i64,
    ) -> CoreResult<InviteOutcome> {
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
        let by_email = pick("email")?;
        let by_sms = pick("sms")?;
        let mut out = InviteOutcome {
            invited: 0,
            skipped: Vec::new(),
        };
        for (ids, channel) in [
            (by_email, InviteChannel::Email),
            (by_sms, InviteChannel::Sms),
        ] {
            if ids.is_empty() {
                continue;
            }
            let part = self.invite_members(actor, &ids, channel)?;
            out.invited += part.invited;
            out.skipped.extend(part.skipped);
        }
        Ok(out)
    }
}

/// The query's states as SQL's `json_each` reads them, and its row limit.
fn states_filter(q: &InvitationQuery) -> (String, u32) {
    let states: Vec<&str> = q.states.iter().map(|s| s.as_str()).collect();
    let states_json = serde_json::to_string(&states).unwrap_or_else(|_| "[]".into());
    let limit = q
        .limit
        .unwrap_or(MAX_INVITATION_PAGE)
        .min(MAX_INVITATION_PAGE);
    (states_json, limit)
}
