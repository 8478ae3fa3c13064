//! Who is who between the directory and the gateway.
//!
//! A member is bound to one gateway account by the account's id, set when their registration
//! or join is applied; every later event about that person (a sign-in, a new password, new
//! personal details) is applied only to the member bound to the account it names. A username
//! is never enough: anyone may type one.
//!
//! The directory is the record of who holds which username, and the gateway mirrors it:
//! [`Directory::due_account_mirror`] lists the members whose account the gateway has not yet
//! heard about as they are now (new, renamed, a new password, a status change, removed), found
//! by comparing the members with `gateway_accounts`, what the gateway was last told. So nobody
//! can register or join under a username the directory uses, and members created here (setup,
//! import, the command line) can sign in on their own page and be sent a reset link.
//!
//! Registrations and joins the gateway let through but the directory will not take are
//! refused back to the gateway ([`Directory::due_account_refusals`]), which removes the account
//! and tells the person why.

use orgdesk_protocol::{AccountState, MirroredAccount};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::member_row;
use crate::retry::retry_delay_ms;
use crate::rows::row_into;
use crate::store::Directory;
use crate::types::MemberId;

/// An account id as the gateway makes them: short, and only letters, digits, `_` and `-`.
pub(crate) fn valid_account_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Why an account id a change carries is refused.
pub(crate) const NOT_AN_ACCOUNT_ID: &str =
    "An account id is acc_ and 32 lower-case hexadecimal digits, as the gateway makes them.";

/// The member bound to `account_id`, with their name.
pub(crate) fn member_by_account(
    tx: &Connection,
    account_id: &str,
) -> rusqlite::Result<Option<(MemberId, String)>> {
    tx.query_row(
        "SELECT id, name FROM members WHERE gateway_account_id = ?1",
        [account_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Binds `member` to the gateway account `account_id`.
pub(crate) fn bind_account(
    conn: &Connection,
    member: MemberId,
    account_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(BIND_ACCOUNT)?
        .execute(params![member, account_id])?;
    Ok(())
}

/// Binds member `?1` to the gateway account `?2`.
const BIND_ACCOUNT: &str = "UPDATE members SET gateway_account_id = ?2 WHERE id = ?1";

/// Asks the gateway to remove an account the directory will not take, unless a member of
/// this directory is bound to it (then the account is theirs and stays).
pub(crate) fn refuse_account(
    tx: &Connection,
    account_id: &str,
    reason: &str,
) -> rusqlite::Result<()> {
    if !valid_account_id(account_id) || member_by_account(tx, account_id)?.is_some() {
        return Ok(());
    }
    let reason: String = reason.chars().take(500).collect();
    tx.execute(
        "INSERT INTO gateway_refusals (account_id, reason) VALUES (?1, ?2)
         ON CONFLICT (account_id) DO NOTHING",
        params![account_id, reason],
    )?;
    Ok(())
}

/// Records in the audit log that an event from the gateway was refused, and why; the actor is
/// the gateway, the target the member concerned when one is known.
pub(crate) fn audit_refused_event(
    tx: &Connection,
    now: i64,
    member: Option<(MemberId, &str)>,
    kind: &str,
    reason: &str,
) -> rusqlite::Result<()> {
    audit::record(
        tx,
        now,
        &Actor {
            id: None,
            name: "Orgdesk gateway".into(),
        },
        audit::Entry::on(
            "gateway.event_refused",
            "member",
            member.map(|(id, _)| id.0),
            member.map(|(_, name)| name),
        )
        .after(json!({ "event": kind, "reason": reason })),
    )
}

/// One member's account as the gateway must know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorItem {
    pub member_id: i64,
    pub account: MirroredAccount,
}

/// An account the gateway is to remove, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRefusal {
    pub account_id: String,
    pub reason: String,
    pub attempts: u32,
}

fn state_str(state: AccountState) -> &'static str {
    match state {
        AccountState::Enabled => "enabled",
        AccountState::Disabled => "disabled",
        AccountState::Removed => "removed",
    }
}

fn parse_state(stored: String) -> AccountState {
    match stored.as_str() {
        "enabled" => AccountState::Enabled,
        "removed" => AccountState::Removed,
        _ => AccountState::Disabled,
    }
}

/// Up to which member id every member's account is in step, given the comparison of the
/// members after `after` that answered `due`: the members before the first one due, which the
/// comparison went through in member order. None when no member is due (the accounts of
/// removed members may be), or the answer is not in member order.
fn in_step_up_to(due: &[MirrorItem], after: i64) -> Option<i64> {
    let members: Vec<i64> = due
        .iter()
        .take_while(|i| i.account.state != AccountState::Removed)
        .map(|i| i.member_id)
        .collect();
    let first = *members.first()?;
    (first > after && members.windows(2).all(|w| w[0] < w[1])).then(|| first - 1)
}

/// The account state a member's status stands for: Enabled members sign in; a Not Joined
/// member's username is only reserved (there is no password); everyone else is kept out.
const STATE_OF_STATUS: &str =
    "CASE m.status WHEN 'enabled' THEN 'enabled' WHEN 'not_joined' THEN 'enabled' ELSE 'disabled' END";

impl Directory {
    /// Binds `member`, whom a change of the team's log has just added, to the gateway account
    /// its author's computer made the id of, alike on every computer; the account mirror then
    /// asks the gateway to create it under that id. None (a change of an older version): the
    /// member stays unbound. An account another member is bound to is refused.
    pub(crate) fn bind_new_member(
        &self,
        member: MemberId,
        account_id: Option<&str>,
    ) -> CoreResult<()> {
        let Some(account_id) = account_id else {
            return Ok(());
        };
        if member_row::held_by_another(&self.conn, "gateway_account_id", account_id, member)? {
            return Err(CoreError::Conflict(
                "The gateway account this change names is another member's.".into(),
            ));
        }
        Ok(bind_account(&self.conn, member, account_id)?)
    }

    /// Members whose gateway account differs from what the gateway was last told, then
    /// accounts of members removed since, at most `limit`, in member order.
    pub fn due_account_mirror(&self, limit: u32) -> CoreResult<Vec<MirrorItem>> {
        let mark = self.mirror_mark()?;
        if self.mirror_in_step.get() == Some(mark) {
            return Ok(Vec::new());
        }
        // Members up to this id were in step when last compared, and nothing has been
        // written since but what the gateway heard about members after them.
        let after = match self.mirror_in_step_up_to.get() {
            Some((at, up_to)) if at == mark => up_to,
            _ => i64::MIN,
        };
        let due = self.compare_account_mirror(limit, after)?;
        self.mirror_in_step.set(due.is_empty().then_some(mark));
        self.mirror_in_step_up_to
            .set(in_step_up_to(&due, after).map(|up_to| (mark, up_to)));
        Ok(due)
    }

    /// This connection's change count and SQLite's `data_version` (which moves when another
    /// connection commits): while neither moves, nothing in the directory has changed.
    fn mirror_mark(&self) -> CoreResult<(u64, i64)> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?;
        Ok((self.conn.total_changes(), version))
    }

    /// Compares the members after id `after` (every member's gateway account is in step up
    /// to it).
    fn compare_account_mirror(&self, limit: u32, after: i64) -> CoreResult<Vec<MirrorItem>> {
        // In a team every computer mirrors, and an account the gateway creates with an id of
        // its own would be bound on the computer that asked only: so there only members
        // already bound are mirrored, and the gateway's answer is the same whoever sends first.
        // A member added through the log (`member.add`, `member.import`) is bound when the
        // change is applied, to the account id its author's computer made, which the gateway
        // creates under that id; one made before that (or by an older computer) stays
        // unmirrored there. A member an approved join request
        // made is bound to the account the request named, which the gateway makes when it
        // hears the decision: the computer that decided mirrors them only once the decision
        // is out. Another computer may mirror them first; the gateway then approves the
        // waiting request that named the account and creates it under that id.
        // Outside a team those conditions are left out of the query rather than tested on
        // every member.
        // (The unary plus keeps the scan in member order: the partial index on account ids
        // would otherwise be taken for this condition.)
        let team_only = if self.team_device_account()?.is_some() {
            "AND +m.gateway_account_id IS NOT NULL
             AND NOT EXISTS (
                 SELECT 1 FROM join_requests r JOIN gateway_outbox o
                   ON o.kind = 'join_decision' AND o.target = r.gateway_id
                 WHERE r.member_id = m.id)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.id, m.gateway_account_id, m.username, m.password_hash, {STATE_OF_STATUS},
                    m.name, m.email, m.mobile, m.must_change_password
             FROM members m LEFT JOIN gateway_accounts g ON g.member_id = m.id
             WHERE m.id > ?2 AND m.username IS NOT NULL
               {team_only}
               AND (g.member_id IS NULL
                    OR g.account_id IS NOT m.gateway_account_id
                    OR g.username IS NOT m.username
                    OR g.password_hash IS NOT m.password_hash
                    OR g.state IS NOT {STATE_OF_STATUS}
                    OR g.name IS NOT m.name
                    OR g.email IS NOT m.email
                    OR g.mobile IS NOT m.mobile
                    OR g.must_change_password IS NOT m.must_change_password)
             UNION ALL
             SELECT g.member_id, g.account_id, g.username, NULL, 'removed', g.name, g.email, g.mobile, 0
             FROM gateway_accounts g LEFT JOIN members m ON m.id = g.member_id
             WHERE m.id IS NULL OR m.username IS NULL
             LIMIT ?1"
        );
        let items = crate::rows::all(&self.conn, &sql, params![limit, after], |r| {
            let (
                member_id,
                account_id,
                username,
                password_hash,
                state,
                name,
                email,
                mobile,
                must_change_password,
            ) = crate::rows::columns(r)?;
            Ok(MirrorItem {
                member_id,
                account: MirroredAccount {
                    account_id,
                    username,
                    password_hash,
                    state: parse_state(state),
                    name,
                    email,
                    mobile,
                    must_change_password,
                },
            })
        })?;
        Ok(items)
    }

    /// Records what the gateway now knows: `account_ids[i]` is the account it keeps for
    /// `items[i]`. Each member is bound to the account the gateway answered, unless another
    /// member already is (then the next round asks again). A member changed meanwhile differs
    /// from the recorded values and is sent again.
    pub fn account_mirror_done(
        &mut self,
        items: &[MirrorItem],
        account_ids: &[String],
    ) -> CoreResult<()> {
        // Writing only what concerns members after those found in step, with nothing else
        // written since they were, leaves them in step.
        let in_step_up_to = match self.mirror_in_step_up_to.take() {
            Some((at, up_to))
                if at == self.mirror_mark()? && items.iter().all(|i| i.member_id > up_to) =>
            {
                Some(up_to)
            }
            _ => None,
        };
        let tx = self.conn.transaction()?;
        // Prepared once for the whole round, not once a member.
        let mut forget = tx.prepare_cached("DELETE FROM gateway_accounts WHERE member_id = ?1")?;
        let mut held =
            tx.prepare_cached("SELECT 1 FROM members WHERE gateway_account_id = ?1 AND id <> ?2")?;
        let mut bind = tx.prepare_cached(BIND_ACCOUNT)?;
        let mut record = tx.prepare_cached(
            "INSERT INTO gateway_accounts (member_id, account_id, username, password_hash, state,
                                           name, email, mobile, must_change_password)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (member_id) DO UPDATE SET account_id = excluded.account_id,
                 username = excluded.username, password_hash = excluded.password_hash,
                 state = excluded.state, name = excluded.name, email = excluded.email,
                 mobile = excluded.mobile, must_change_password = excluded.must_change_password",
        )?;
        for (item, account_id) in items.iter().zip(account_ids) {
            let a = &item.account;
            if a.state == AccountState::Removed {
                forget.execute([item.member_id])?;
                continue;
            }
            if !valid_account_id(account_id) {
                continue;
            }
            if held.exists(params![account_id, item.member_id])? {
                continue;
            }
            bind.execute(params![item.member_id, account_id])?;
            record.execute(params![
                item.member_id,
                account_id,
                a.username,
                a.password_hash,
                state_str(a.state),
                a.name,
                a.email,
                a.mobile,
                a.must_change_password
            ])?;
        }
        drop((forget, held, bind, record));
        tx.commit()?;
        if let Some(up_to) = in_step_up_to {
            self.mirror_in_step_up_to
                .set(Some((self.mirror_mark()?, up_to)));
        }
        Ok(())
    }

    /// Accounts due to be refused back to the gateway, oldest first.
    pub fn due_account_refusals(&self, limit: u32) -> CoreResult<Vec<AccountRefusal>> {
        let refusals = crate::rows::all(
            &self.conn,
            "SELECT account_id, reason, attempts FROM gateway_refusals
             WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, account_id LIMIT ?2",
            params![self.now_ms(), limit],
            |r| Ok(row_into!(r => AccountRefusal { account_id, reason, attempts })),
        )?;
        Ok(refusals)
    }

    /// The gateway heard the refusal (or never knew the account): forget it; or try again
    /// later, saying why.
    pub fn account_refusal_done(
        &mut self,
        refusal: &AccountRefusal,
        retry_reason: Option<&str>,
    ) -> CoreResult<()> {
        match retry_reason {
            None => {
                self.conn.execute(
                    "DELETE FROM gateway_refusals WHERE account_id = ?1",
                    [&refusal.account_id],
                )?;
            }
            Some(why) => {
                let attempts = refusal.attempts + 1;
                self.conn.execute(
                    "UPDATE gateway_refusals SET attempts = ?2, next_attempt_at = ?3, last_error = ?4
                     WHERE account_id = ?1",
                    params![
                        refusal.account_id,
                        attempts,
                        self.now_ms() + retry_delay_ms(attempts),
                        why
                    ],
                )?;
            }
        }
        Ok(())
    }

    /// The gateway account a member is bound to, if any.
    pub fn gateway_account_of(&self, member: MemberId) -> CoreResult<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT gateway_account_id FROM members WHERE id = ?1",
            [member],
            |r| r.get(0),
        )?)
    }
}
