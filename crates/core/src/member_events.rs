//! What members do on the gateway, applied to the directory: signing in (last login),
//! changing their password, and changing their own name, mobile or personal email — the only
//! way those personal fields change once a member has joined.

use orgdesk_protocol::EventKind;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

use crate::audit::{self, Actor};
use crate::error::CoreResult;
use crate::members::{default_region_in, refresh_search_text};
use crate::types::{DisplayName, Email, MemberId, Mobile, Username};

fn member_by_username(
    tx: &Transaction<'_>,
    username: &str,
) -> rusqlite::Result<Option<(MemberId, String)>> {
    let Ok(u) = Username::parse(username) else {
        return Ok(None);
    };
    tx.query_row(
        "SELECT id, name FROM members WHERE username_key = ?1",
        [u.key()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Applies one member event; returns the member whose record changed. Events for usernames
/// this directory does not know (removed meanwhile) are passed over.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    kind: &EventKind,
    at_ms: i64,
    now: i64,
) -> CoreResult<Option<MemberId>> {
    match kind {
        EventKind::SignedIn { username } => {
            let Some((id, _)) = member_by_username(tx, username)? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE members SET last_login_at = max(coalesce(last_login_at, 0), ?2) WHERE id = ?1",
                params![id, at_ms],
            )?;
            Ok(Some(id))
        }
        EventKind::PasswordChanged {
            username,
            password_hash,
        } => {
            let Some((id, name)) = member_by_username(tx, username)? else {
                return Ok(None);
            };
            if !password_hash.starts_with("$argon2id$") {
                return Ok(None);
            }
            tx.execute(
                "UPDATE members SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, password_hash, now],
            )?;
            audit::record(
                tx,
                now,
                &Actor {
                    id: Some(id),
                    name: name.clone(),
                },
                audit::Entry {
                    action: "member.password_changed",
                    target_type: "member",
                    target_id: Some(id.0),
                    target_name: Some(&name),
                    before: None,
                    after: None,
                },
            )?;
            Ok(Some(id))
        }
        EventKind::PersonalDetailsChanged {
            username,
            name,
            mobile,
            email,
        } => {
            let Some((id, old_name)) = member_by_username(tx, username)? else {
                return Ok(None);
            };
            let (before_email, before_mobile): (Option<String>, Option<String>) = tx.query_row(
                "SELECT email, mobile FROM members WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut after = serde_json::Map::new();
            let mut before = serde_json::Map::new();
            if let Some(n) = name
                .as_deref()
                .and_then(|n| DisplayName::parse("name", "Name", n).ok())
            {
                tx.execute(
                    "UPDATE members SET name = ?2, name_key = ?3 WHERE id = ?1",
                    params![id, n.as_str(), n.key()],
                )?;
                before.insert("name".into(), json!(old_name));
                after.insert("name".into(), json!(n.as_str()));
            }
            // An empty value removes the field; a value another member already uses is kept
            // out (the directory's uniqueness wins) and the audit entry says so.
            if let Some(e) = email {
                let parsed = if e.trim().is_empty() {
                    Some(None)
                } else {
                    Email::parse("email", e).ok().map(Some)
                };
                if let Some(parsed) = parsed {
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
                    Some(None)
                } else {
                    Mobile::parse("mobile", m, &region).ok().map(Some)
                };
                if let Some(parsed) = parsed {
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
                &Actor {
                    id: Some(id),
                    name: current.clone(),
                },
                audit::Entry {
                    action: "member.personal_details_changed",
                    target_type: "member",
                    target_id: Some(id.0),
                    target_name: Some(&current),
                    before: Some(serde_json::Value::Object(before)),
                    after: Some(serde_json::Value::Object(after)),
                },
            )?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}
