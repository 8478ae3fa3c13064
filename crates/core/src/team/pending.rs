//! This computer's own commands: checked against the directory as it stands when the admin
//! makes them, kept in a durable queue until they are sent, and taken off it when they come
//! back from the log (see `apply.rs`).

use serde_json::{Map, Value};

use orgdesk_protocol::Event;
use rusqlite::Connection;

use super::command::MAX_FAILURE_CHARS;
use super::{Command, RefusedChange, TeamCommand};
use crate::audit::Actor;
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::{audit_refused_event, member_by_account};
use crate::invitations::{apply_member_event, Answered, Applying, GatewayWork, Intake, WorkResult};
use crate::join::{joining_rules_in, record, TellGateway};
use crate::store::Directory;
use crate::types::MemberId;

/// A command waiting to be sent to the organization's change log.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCommand {
    /// This computer's id for the change: 128 random bits in hex, so a retried send appends
    /// nothing twice.
    pub change_id: String,
    /// The admin who made it: the sender sends it only under a device of that admin's
    /// gateway account, since the log's author is the account that sent it.
    pub author_id: MemberId,
    /// When it was queued, ms since the epoch.
    pub queued_at: i64,
    /// The change body, as the log carries it.
    pub body: Map<String, Value>,
}

/// An edit made through [`Directory::edit`].
#[derive(Debug)]
pub enum Edit<T> {
    /// Made directly: this computer is in no team.
    Done(T),
    /// Queued for the team's log; `tried` is what it did when tried.
    Queued { tried: T, change_id: String },
}

/// What became of a change this computer queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeFate {
    Waiting,
    Applied,
    Refused(RefusedChange),
}

/// The local settings key of the gateway account whose device this computer is (its token is
/// kept in the system keyring, never here).
pub(super) const DEVICE_ACCOUNT: &str = "team_device_account";

impl Directory {
    /// The gateway account whose enrolled device this computer is, once it is in a team: its
    /// sync then sends the commands of that account's admin and applies the change log.
    pub fn team_device_account(&self) -> CoreResult<Option<String>> {
        self.local_value(DEVICE_ACCOUNT)
    }

    /// Records that this computer is a device of `account_id` (this computer's own value, not
    /// part of the directory's content).
    pub fn set_team_device_account(&mut self, account_id: &str) -> CoreResult<()> {
        self.set_local_value(DEVICE_ACCOUNT, account_id)
    }

    /// Queues `command`, made now by `actor`, to be sent to the organization's change log, and
    /// returns its change id. It is first run against the directory as it stands, in a
    /// savepoint that is rolled back, so that the admin hears at once what the core refuses
    /// (a username taken, a department not empty …), that their role does not allow it, or that
    /// this computer is another admin's device.
    /// Nothing of it shows in the directory until it comes back from the log in its order.
    pub fn queue_command(&mut self, actor: &Actor, command: Command) -> CoreResult<String> {
        let author = actor
            .id
            .ok_or_else(|| CoreError::Forbidden("Sign in to change the directory.".into()))?;
        let actor = self.admin_actor(author, command.needs())?;
        // A change goes out under this computer's device, so in the name of its account only.
        if let Some(device) = self.team_device_account()? {
            if self.gateway_account_of(author)?.as_deref() != Some(device.as_str()) {
                return Err(CoreError::Forbidden(format!(
                    "This computer is enrolled in the team for another admin's account, so {} cannot make changes here: enroll a computer of their own.",
                    actor.name
                )));
            }
        }
        let made = TeamCommand {
            at: self.now_ms(),
            command,
        };
        // What goes out is what every computer reads back: the same checks, before it leaves.
        let body = made.to_body()?;
        TeamCommand::from_body(&body).map_err(|d| CoreError::invalid(vec![d]))?;
        self.in_savepoint("team_try", false, |d| {
            d.at_time(made.at, |d| made.command.run(d, &actor, TellGateway::Yes))
        })?;
        queue_in(&self.conn, author, &made, body)
    }

    /// An edit by `actor`, made directly, or on a computer in a team through the log: first
    /// tried against the directory as it stands and undone (`run`: what the core or the
    /// admin's role refuses is refused at once, with the error a direct edit gives), then
    /// queued as `command` ([`Self::queue_command`]). What the try answered stands for what
    /// the change will do once it comes back ([`Self::change_fate`]).
    pub fn edit<T>(
        &mut self,
        actor: &Actor,
        command: impl FnOnce(&Self) -> CoreResult<Command>,
        run: impl FnOnce(&mut Self, &Actor) -> CoreResult<T>,
    ) -> CoreResult<Edit<T>> {
        if self.team_device_account()?.is_none() {
            return run(self, actor).map(Edit::Done);
        }
        let tried = self.in_savepoint("team_preview", false, |d| run(d, actor))?;
        let command = command(self)?;
        let change_id = self.queue_command(actor, command)?;
        Ok(Edit::Queued { tried, change_id })
    }

    /// [`Self::edit`] of `command` made as it says: directly by the core function the log
    /// applies it with, so that the edit is written once.
    pub fn edit_command(&mut self, actor: &Actor, command: Command) -> CoreResult<Edit<()>> {
        let made = command.clone();
        self.edit(
            actor,
            |_| Ok(command),
            |d, a| made.run(d, a, TellGateway::Yes),
        )
    }

    /// What became of this computer's change `change_id`: still waiting to come back from
    /// the log, refused when it did (what and why), or applied.
    pub fn change_fate(&self, change_id: &str) -> CoreResult<ChangeFate> {
        if let Some(r) = self
            .my_refused_changes()?
            .into_iter()
            .find(|r| r.change_id == change_id)
        {
            return Ok(ChangeFate::Refused(r));
        }
        let waiting = self
            .pending_commands()?
            .iter()
            .any(|p| p.change_id == change_id);
        Ok(if waiting {
            ChangeFate::Waiting
        } else {
            ChangeFate::Applied
        })
    }

    /// The commands waiting to be sent, in the order they were made.
    pub fn pending_commands(&self) -> CoreResult<Vec<PendingCommand>> {
        let rows: Vec<(String, MemberId, i64, String)> = crate::rows::all(
            &self.conn,
            "SELECT change_id, author_id, queued_at, body FROM team_pending ORDER BY position",
            [],
            |r| crate::rows::columns(r),
        )?;
        rows.into_iter()
            .map(|(change_id, author_id, queued_at, body)| {
                let Ok(Value::Object(body)) = serde_json::from_str(&body) else {
                    return Err(CoreError::Internal(format!(
                        "The queued change {change_id} could not be read."
                    )));
                };
                Ok(PendingCommand {
                    change_id,
                    author_id,
                    queued_at,
                    body,
                })
            })
            .collect()
    }
}

/// Puts `made`, by `author`, on this computer's queue as `body` (checked by the caller as
/// every computer reads it back); answers its change id (128 random bits in hex).
fn queue_in(
    conn: &Connection,
    author: MemberId,
    made: &TeamCommand,
    body: Map<String, Value>,
) -> CoreResult<String> {
    let change_id = crate::invitations::new_idempotency_key();
    conn.execute(
        "INSERT INTO team_pending (change_id, author_id, queued_at, body) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![change_id, author, made.at, Value::Object(body).to_string()],
    )?;
    Ok(change_id)
}

/// On a computer in a team, queues `command`, made at `at` by the admin this computer is
/// enrolled for (what the gateway's answers and events bring, which every computer must hear
/// of), and answers Some: queued, or why the log could not carry it. None outside a team. A
/// device account bound to no member here can send nothing, so it is left to the team's other
/// computers (Some(Ok)).
fn queue_as_device(
    conn: &Connection,
    command: Command,
    at: i64,
) -> CoreResult<Option<Result<(), ErrorDetail>>> {
    let Some(account) = crate::settings::local_value_in(conn, DEVICE_ACCOUNT)? else {
        return Ok(None);
    };
    let Some((author, _)) = member_by_account(conn, &account)? else {
        return Ok(Some(Ok(())));
    };
    let made = TeamCommand { at, command };
    let body = made.to_body()?;
    match TeamCommand::from_body(&body) {
        Ok(_) => {
            queue_in(conn, author, &made, body)?;
            Ok(Some(Ok(())))
        }
        Err(e) => Ok(Some(Err(e))),
    }
}

/// On a computer in a team, queues `command`, what the feed brought (an event of kind
/// `event_kind`), and answers true: every computer applies it when it comes back. Several
/// computers queue the same event; the first of the log applies it, the others find it
/// applied. Answers false outside a team, where it is applied directly. One the log would
/// refuse to carry is recorded in the history as refused, like any event the directory will
/// not take, rather than holding the feed up.
fn queue_from_feed(
    conn: &Connection,
    command: Command,
    event_kind: &str,
    at: i64,
) -> CoreResult<bool> {
    match queue_as_device(conn, command, at)? {
        None => Ok(false),
        Some(Ok(())) => Ok(true),
        Some(Err(e)) => {
            audit_refused_event(conn, at, None, event_kind, &e.reason)?;
            Ok(true)
        }
    }
}

/// The feed's name for an event's kind (`registered`, `password_changed` …).
fn event_kind_name(event: &Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("kind")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Directory {
    /// Records how a piece of the gateway's work ended (`gateway_work_done_with`, in
    /// `crate::invitations`); on a computer in a team what the gateway answered is told to the
    /// other computers: a link made as an `invitation.linked` change (the gateway's id and
    /// expiry, never the link), a send refused for good as `invitation.failed` (why). One the
    /// log could not carry (a gateway's id it does not take) stays this computer's.
    pub fn gateway_work_done(&mut self, work: &GatewayWork, result: WorkResult) -> CoreResult<()> {
        self.gateway_work_done_with(work, result, |tx, key, answered, now| {
            let invitation = key.to_owned();
            let command = match answered {
                Answered::Linked {
                    gateway_id,
                    expires_at,
                } => Command::LinkInvitation {
                    invitation,
                    gateway_id: gateway_id.to_owned(),
                    expires_at,
                },
                Answered::Refused(reason) => Command::FailInvitation {
                    invitation,
                    reason: reason.chars().take(MAX_FAILURE_CHARS).collect(),
                },
            };
            queue_as_device(tx, command, now).map(drop)
        })
    }
}

impl Directory {
    /// Applies a page of the gateway's event feed (`apply_gateway_events_with`, in
    /// `crate::invitations`): a join request is recorded here, judged by this directory's
    /// joining rules, and a member event that changes the directory (a registration, a
    /// password or a member's own details changed) applied; on a computer in a team they are
    /// queued, in the transaction that moves the feed's cursor, as a `join.request` change
    /// (with this computer's joining rules) or a `member.event` change carrying the event as
    /// the gateway sent it, which every computer applies when it comes back ([`queue_from_feed`]).
    pub fn apply_gateway_events(
        &mut self,
        events: &[Event],
        next_cursor: i64,
    ) -> CoreResult<Vec<MemberId>> {
        self.apply_gateway_events_with(events, next_cursor, |tx, item, now| match item {
            Intake::Join(request) => {
                let rules = joining_rules_in(tx)?;
                let command = Command::JoinRequest {
                    request: request.clone(),
                    rules: rules.clone(),
                };
                if queue_from_feed(tx, command, "join_requested", now)? {
                    return Ok(None);
                }
                record(tx, request, &rules, TellGateway::Yes, now)
            }
            Intake::Member(event) => {
                let command = Command::MemberEvent {
                    event: event.clone(),
                };
                if queue_from_feed(tx, command, &event_kind_name(event), now)? {
                    return Ok(None);
                }
                apply_member_event(tx, event, now, Applying::Directly)
            }
        })
    }
}
