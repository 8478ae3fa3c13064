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
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::CoreResult;
use crate::gateway_accounts::{audit_refused_event, member_by_account};
use crate::member_row::{self, refresh_search_text};
use crate::settings::default_region_in;
use crate::types::{DisplayName, Email, MemberId, Mobile};

/// The member bound to the event's account, if the event names one and a member is bound.
fn bound_member(
    tx: &Transaction<'_>,
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
    tx: &Transaction<'_>,
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
            let mut after = serde_json::Map::new();
            let mut before = serde_json::Map::new();
            match name
                .as_deref()
                .map(|n| DisplayName::parse("name", "Name", n))
            {
                Some(Ok(n)) => {
                    tx.execute(
                        "UPDATE members SET name = ?2, name_key = ?3 WHERE id = ?1",
                        params![id, n.as_str(), crate::name_keys::sort_key(n.as_str())],
                    )?;
                    before.insert("name".into(), json!(old_name));
                    after.insert("name".into(), json!(n.as_str()));
                }
                Some(Err(problem)) => {
                    after.insert("nameRefused".into(), json!(problem.reason));
                }
                None => {}
            }
            // An empty value removes the field; a value another member already uses is kept
            // out (the directory's uniqueness wins) and the audit entry says so.
            if let Some(e) = email {
                let parsed = if e.trim().is_empty() {
                    Ok(None)
                } else {
                    Email::parse("email", e).map(Some)
                };
                if let Err(problem) = &parsed {
                    after.insert("emailRefused".into(), json!(problem.reason));
                }
                if let Ok(parsed) = parsed {
                    let key = parsed.as_ref().map(|p| p.key());
                    let clash: Option<i64> = match &key {
                        Some(k) => tx
                            .query_row(
                                "SELECT id FROM members WHERE email_key = ?1 AND id <> ?2",
                                params![k, id],
                                |r| r.get(0),
                            )
                            .optional()?,
                        None => None,
                    };
                    if clash.is_none() {
                        tx.execute(
                            "UPDATE members SET email = ?2, email_key = ?3 WHERE id = ?1",
                            params![id, parsed.as_ref().map(|p| p.as_str().to_owned()), key],
                        )?;
                        before.insert("email".into(), json!(before_email));
                        after.insert("email".into(), json!(parsed.map(|p| p.as_str().to_owned())));
                    } else {
                        after.insert(
                            "emailRefused".into(),
                            json!("already used by another member"),
                        );
                    }
                }
            }
            if let Some(m) = mobile {
                let region = default_region_in(tx)?;
                let parsed = if m.trim().is_empty() {
                    Ok(None)
                } else {
                    Mobile::parse("mobile", m, &region).map(Some)
                };
                if let Err(problem) = &parsed {
                    after.insert("mobileRefused".into(), json!(problem.reason));
                }
                if let Ok(parsed) = parsed {
                    let value = parsed.as_ref().map(|p| p.as_str().to_owned());
                    let clash: Option<i64> = match &value {
                        Some(v) => tx
                            .query_row(
                                "SELECT id FROM members WHERE mobile = ?1 AND id <> ?2",
                                params![v, id],
                                |r| r.get(0),
                            )
                            .optional()?,
                        None => None,
                    };
                    if clash.is_none() {
                        tx.execute(
                            "UPDATE members SET mobile = ?2 WHERE id = ?1",
                            params![id, value],
                        )?;
                        before.insert("mobile".into(), json!(before_mobile));
                        after.insert("mobile".into(), json!(value));
                    } else {
                        after.insert(
                            "mobileRefused".into(),
                            json!("already used by another member"),
                        );
                    }
                }
            }
            if after.is_empty() {
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
                    .before(serde_json::Value::Object(before))
                    .after(serde_json::Value::Object(after)),
            )?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}
