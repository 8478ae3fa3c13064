//! Removing a member: what they hand over and to whom, and the former members kept as
//! contacts.

use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::status::status_label;
use super::{RemoveOutcome, TransferPreview};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::rows::row_into;
use crate::store::Directory;
use crate::types::{MemberId, MemberRef, MemberStatus};

/// The invitation states still waiting for the invitee (see `InvitationState::is_open`).
const OPEN_INVITATIONS: &str = "('queued', 'sent', 'delivered', 'opened', 'failed')";

impl Directory {
    /// What removing `id` would hand over, read in one query: the departments they head and
    /// the open invitations they sent. Join requests are not handed over: none is assigned to a
    /// member (any admin decides any waiting request), so a member owns none.
    pub fn transfer_preview(&self, id: MemberId) -> CoreResult<TransferPreview> {
        let row = self.member_row(id)?;
        let (headed, invitations): (String, u32) = self.conn.query_row(
            &format!(
                "SELECT (SELECT json_group_array(name) FROM
                           (SELECT name FROM departments WHERE head_member_id = ?1 ORDER BY name_key)),
                        (SELECT count(*) FROM invitations WHERE invited_by = ?1 AND state IN {OPEN_INVITATIONS})"
            ),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(TransferPreview {
            member: MemberRef {
                id,
                name: row.name,
                username: row.username,
            },
            needs_transfer: row.status != MemberStatus::NotJoined,
            departments_headed: serde_json::from_str(&headed).unwrap_or_default(),
            invitations_sent: invitations,
        })
    }

    /// Removes a member. A Not Joined member goes directly; anyone else first hands what they
    /// own (the departments they head, the open invitations they sent) to `transfer_to` (an
    /// enabled member), in the same transaction. The person stays in the former-members
    /// contact list. The outcome says what moved.
    pub fn remove_member(
        &mut self,
        actor: &Actor,
        id: MemberId,
        transfer_to: Option<MemberId>,
    ) -> CoreResult<RemoveOutcome> {
        let row = self.member_row(id)?;
        self.guard_self_and_owner(actor, id, "remove")?;
        self.guard_super_admin_target(actor, id, &row.name, "remove them")?;
        if self.is_super_admin(id)? {
            self.guard_super_admins(id, &[])?;
        }
        let needs_transfer = row.status != MemberStatus::NotJoined;
        let recipient = match (needs_transfer, transfer_to) {
            (false, _) => None,
            (true, None) => {
                return Err(CoreError::required("transferTo", format!("{} has joined: choose an enabled member to receive what they own before removing them.", row.name)))
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
                Some(MemberRef {
                    id: t,
                    name: r.name,
                    username: r.username,
                })
            }
        };
        let preview = self.transfer_preview(id)?;
        let (now, tx) = self.begin()?;
        let invitations = match &recipient {
            Some(t) => {
                tx.execute(
                    "UPDATE departments SET head_member_id = ?1 WHERE head_member_id = ?2",
                    params![t.id, id],
                )?;
                tx.execute(
                    &format!(
                        "UPDATE invitations SET invited_by = ?1, inviter_name = ?2, updated_at = ?3
                         WHERE invited_by = ?4 AND state IN {OPEN_INVITATIONS}"
                    ),
                    params![t.id, t.name, now, id],
                )? as u32
            }
            None => {
                tx.execute(
                    "UPDATE departments SET head_member_id = NULL WHERE head_member_id = ?1",
                    [id],
                )?;
                0
            }
        };
        tx.execute(
            "UPDATE members SET created_by = NULL WHERE created_by = ?1",
            [id],
        )?;
        tx.execute(
            "INSERT INTO former_members (member_id, name, username, email, mobile, employee_id, removed_at, removed_by, transferred_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, row.name, row.username, row.email, row.mobile, row.employee_id, now, actor.name, recipient.as_ref().map(|r| r.id)],
        )?;
        tx.execute("DELETE FROM members WHERE id = ?1", [id])?;
        audit::record(
            &tx,
            now,
            actor,
            audit::Entry::member("member.remove", id, &row.name)
                .before(json!({"name": row.name, "status": row.status.as_str()}))
                .after(json!({"transferredTo": recipient.as_ref().map(|r| &r.name),
                               "departmentsHeaded": preview.departments_headed,
                               "invitationsSent": invitations})),
        )?;
        tx.commit()?;
        self.touch_members(&[id]);
        Ok(RemoveOutcome {
            transferred_to: recipient,
            departments_headed: preview.departments_headed,
            invitations_sent: invitations,
        })
    }

    /// Former members, newest first: contacts who can be invited again.
    pub fn former_members(&self) -> CoreResult<Vec<FormerMember>> {
        let former = crate::rows::all(
            &self.conn,
            "SELECT id, name, username, email, mobile, removed_at, removed_by FROM former_members ORDER BY removed_at DESC, id DESC",
            [],
            |r| {
                Ok(row_into!(r => FormerMember {
                    id, name, username, email, mobile, removed_at, removed_by
                }))
            },
        )?;
        Ok(former)
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
