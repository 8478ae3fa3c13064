//! Removing a member: what they hand over and to whom, and the former members kept as
//! contacts.

use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::status::status_label;
use super::TransferPreview;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::store::Directory;
use crate::types::{MemberId, MemberRef, MemberStatus};

impl Directory {
    /// What removing `id` would hand over.
    pub fn transfer_preview(&self, id: MemberId) -> CoreResult<TransferPreview> {
        let row = self.member_row(id)?;
        let headed: Vec<String> = self
            .conn
            .prepare("SELECT name FROM departments WHERE head_member_id = ?1 ORDER BY name_key")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(TransferPreview {
            member: MemberRef {
                id,
                name: row.name,
                username: row.username,
            },
            needs_transfer: row.status != MemberStatus::NotJoined,
            departments_headed: headed,
            // Invitations and join requests are kept by the gateway work; none exist yet.
            invitations_sent: 0,
            join_requests_assigned: 0,
        })
    }

    /// Removes a member. A Not Joined member goes directly; anyone else first hands what they
    /// own to `transfer_to` (an enabled member), in the same transaction. The person stays
    /// in the former-members contact list.
    pub fn remove_member(
        &mut self,
        actor: &Actor,
        id: MemberId,
        transfer_to: Option<MemberId>,
    ) -> CoreResult<()> {
        let row = self.member_row(id)?;
        self.guard_self_and_owner(actor, id, "remove")?;
        if self.is_super_admin(id)? {
            self.guard_super_admins(id, &[])?;
        }
        let needs_transfer = row.status != MemberStatus::NotJoined;
        let recipient = match (needs_transfer, transfer_to) {
            (false, _) => None,
            (true, None) => {
                return Err(CoreError::invalid(vec![ErrorDetail::field(
                    "transferTo",
                    "required",
                    format!("{} has joined: choose an enabled member to receive what they own before removing them.", row.name),
                )]))
            }
            (true, Some(t)) => {
                if t == id {
                    return Err(CoreError::invalid(vec![ErrorDetail::field(
                        "transferTo",
                        "same_member",
                        "Choose someone other than the member being removed.",
                    )]));
                }
                let r = self.member_row(t)?;
                if r.status != MemberStatus::Enabled {
                    return Err(CoreError::invalid(vec![ErrorDetail::field(
                        "transferTo",
                        "not_enabled",
                        format!("{} is {}; choose an enabled member.", r.name, status_label(r.status)),
                    )]));
                }
                Some((t, r.name))
            }
        };
        let preview = self.transfer_preview(id)?;
        let now = self.now_ms();
        let tx = self.conn.transaction()?;
        match &recipient {
            Some((t, _)) => {
                tx.execute(
                    "UPDATE departments SET head_member_id = ?1 WHERE head_member_id = ?2",
                    params![t, id],
                )?;
            }
            None => {
                tx.execute(
                    "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1",
                    [id],
                )?;
            }
        }
        tx.execute(
            "UPDATE members SET created_by = NULL WHERE created_by = ?1",
            [id],
        )?;
        tx.execute(
            "INSERT INTO former_members (member_id, name, username, email, mobile, employee_id, removed_at, removed_by, transferred_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, row.name, row.username, row.email, row.mobile, row.employee_id, now, actor.name, recipient.as_ref().map(|r| r.0)],
        )?;
        tx.execute("DELETE FROM members WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.remove", id, &row.name)
                .before(json!({"name": row.name, "status": row.status.as_str()}))
                .after(json!({"transferredTo": recipient.as_ref().map(|r| &r.1),
                               "departmentsHeaded": preview.departments_headed})),
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(())
    }

    /// Former members, newest first: contacts who can be invited again.
    pub fn former_members(&self) -> CoreResult<Vec<FormerMember>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, username, email, mobile, removed_at, removed_by FROM former_members ORDER BY removed_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FormerMember {
                id: r.get(0)?,
                name: r.get(1)?,
                username: r.get(2)?,
                email: r.get(3)?,
                mobile: r.get(4)?,
                removed_at: r.get(5)?,
                removed_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormerMember {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    #[ts(type = "number")]
    pub removed_at: i64,
    pub removed_by: String,
}
