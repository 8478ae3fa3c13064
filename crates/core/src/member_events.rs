//! What members do on the gateway, applied to the directory: signing in (last login),
//! changing their password, and changing their own name, mobile or personal email — the only
//! way those personal fields change once a member has joined.
//!
//! Each event names the gateway account it is about; it is applied only to the member bound
//! to that account (see `gateway_accounts`), never to whoever has the username it mentions.
//! Everything in it is checked as an admin's input would be: a password hash must be a
//! bounded Argon2id string, names, emails and mobiles go through the same validators as the
//! forms. What fails is refused and recorded in the audit log.

use orgdesk_protocol::EventKind;
use rusqlite::{params, Connection};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::{CoreResult, ErrorDetail};
use crate::gateway_accounts::{audit_refused_event, member_by_account};
use crate::member_row::{self, refresh_search_text};
use crate::settings::default_region_in;
use crate::types::{DisplayName, Email, MemberId, Mobile};

/// The member bound to the event's account, if the event names one and a member is bound.
fn bound_member(
    tx: &Connection,
    account_id: Option<&String>,
) -> rusqlite::Result<Option<(MemberId, String)>> {
    match account_id {
        Some(id) => member_by_account(tx, id),
        None => Ok(None),
    }
}

/// Applies one member event; returns the member whose record changed. Events for accounts
/// no member is bound to (removed meanwhile, or never let in) are passed over.
pub(crate) fn apply(
    tx: &Connection,
    kind: &EventKind,
    at_ms: i64,
    now: i64,
) -> CoreResult<Option<MemberId>> {
    match kind {
        EventKind::SignedIn { account_id, .. } => {
            let Some((id, _)) = bound_member(tx, account_id.as_ref())? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE members SET last_login_at = max(coalesce(last_login_at, 0), ?2) WHERE id = ?1",
                params![id, at_ms],
            )?;
            Ok(Some(id))
        }
        EventKind::PasswordChanged {
            account_id,
            password_hash,
            ..
        } => {
            let Some((id, name)) = bound_member(tx, account_id.as_ref())? else {
                return Ok(None);
            };
            if let Err(problem) = orgdesk_rules::password::check_password_hash(password_hash) {
                audit_refused_event(
                    tx,
                    now,
                    Some((id, &name)),
                    "password_changed",
                    &problem.to_string(),
                )?;
                return Ok(None);
            }
            let actor = Actor::member(id, name);
            member_row::write_own_password(tx, now, &actor, id, password_hash)?;
            Ok(Some(id))
        }
        EventKind::PersonalDetailsChanged {
            account_id,
            name,
            mobile,
            email,
            ..
        } => {
            let Some((id, old_name)) = bound_member(tx, account_id.as_ref())? else {
                return Ok(None);
            };
            let (before_email, before_mobile): (Option<String>, Option<String>) = tx.query_row(
                "SELECT email, mobile FROM members WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut changes = Changes::default();
            match name
                .as_deref()
                .map(|n| DisplayName::parse("name", "Name", n))
            {
                Some(Ok(n)) => {
                    tx.execute(
                        "UPDATE members SET name = ?2, name_key = ?3 WHERE id = ?1",
                        params![id, n.as_str(), crate::name_keys::sort_key(n.as_str())],
                    )?;
                    changes.before.insert("name".into(), json!(old_name));
                    changes.after.insert("name".into(), json!(n.as_str()));
                }
                Some(Err(problem)) => {
                    changes
                        .after
                        .insert("nameRefused".into(), json!(problem.reason));
                }
                None => {}
            }
            // An empty value removes the field; a value another member already uses is kept
            // out (the directory's uniqueness wins) and the audit entry says so.
            if let Some(e) = email {
                let parse =
                    |e: &str| Email::parse("email", e).map(|p| (p.as_str().to_owned(), p.key()));
                apply_own_contact(
                    tx,
                    id,
                    OwnContact::Email,
                    e,
                    parse,
                    before_email,
                    &mut changes,
                )?;
            }
            if let Some(m) = mobile {
                let region = default_region_in(tx)?;
                let parse = |m: &str| {
                    Mobile::parse("mobile", m, &region)
                        .map(|p| (p.as_str().to_owned(), p.as_str().to_owned()))
                };
                apply_own_contact(
                    tx,
                    id,
                    OwnContact::Mobile,
                    m,
                    parse,
                    before_mobile,
                    &mut changes,
                )?;
            }
            if changes.after.is_empty() {
                return Ok(None);
            }
            tx.execute(
                "UPDATE members SET updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            refresh_search_text(tx, id)?;
            let current: String =
                tx.query_row("SELECT name FROM members WHERE id = ?1", [id], |r| r.get(0))?;
            audit::record(
                tx,
                now,
                &Actor::member(id, current.clone()),
                audit::Entry::member("member.personal_details_changed", id, &current)
                    .before(serde_json::Value::Object(changes.before))
                    .after(serde_json::Value::Object(changes.after)),
            )?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}

/// What a member's own change did, field by field, for its audit entry.
#[derive(Default)]
struct Changes {
    before: serde_json::Map<String, serde_json::Value>,
    after: serde_json::Map<String, serde_json::Value>,
}

/// The contact fields a member changes on the gateway; no two members share one.
#[derive(Clone, Copy)]
enum OwnContact {
    Email,
    Mobile,
}

impl OwnContact {
    /// The field's name in the audit entry.
    fn name(self) -> &'static str {
        match self {
            OwnContact::Email => "email",
            OwnContact::Mobile => "mobile",
        }
    }

    /// The column that must stay unique.
    fn unique_column(self) -> &'static str {
        match self {
            OwnContact::Email => "email_key",
            OwnContact::Mobile => "mobile",
        }
    }
}

/// Applies a member's own new email or mobile: empty removes it, else `parse` gives the value
/// and its unique key. A value `parse` refuses, or another member already has (the
/// directory's uniqueness wins), is kept out; `changes` says what happened either way.
fn apply_own_contact(
    tx: &Connection,
    id: MemberId,
    field: OwnContact,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<(String, String), ErrorDetail>,
    before: Option<String>,
    changes: &mut Changes,
) -> rusqlite::Result<()> {
    let refused = |changes: &mut Changes, reason: &str| {
        changes
            .after
            .insert(format!("{}Refused", field.name()), json!(reason));
    };
    let new = if raw.trim().is_empty() {
        None
    } else {
        match parse(raw) {
            Ok(new) => Some(new),
            Err(problem) => {
                refused(changes, &problem.reason);
                return Ok(());
            }
        }
    };
    let (value, key) = (new.as_ref().map(|n| &n.0), new.as_ref().map(|n| &n.1));
    if let Some(key) = key {
        if member_row::held_by_another(tx, field.unique_column(), key, id)? {
            refused(changes, "already used by another member");
            return Ok(());
        }
    }
    match field {
        OwnContact::Email => tx.execute(
            "UPDATE members SET email = ?2, email_key = ?3 WHERE id = ?1",
            params![id, value, key],
        )?,
        OwnContact::Mobile => tx.execute(
            "UPDATE members SET mobile = ?2 WHERE id = ?1",
            params![id, value],
        )?,
    };
    changes.before.insert(field.name().into(), json!(before));
    changes.after.insert(field.name().into(), json!(value));
    Ok(())
}
