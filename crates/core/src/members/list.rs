//! The member list: a page of it from the member index, every matching id, and finding a
//! member by id, username or email, or someone added to be invited.

use rusqlite::OptionalExtension;

use super::{MemberPage, MemberQuery, MemberRow, NewInvitee, StatusFilter};
use crate::error::{CoreError, CoreResult};
use crate::rows::row_into;
use crate::store::Directory;
use crate::types::{DisplayName, MemberId, MemberStatus};

impl Directory {
    /// One page of the member list, sorted by name, and how many match in all.
    pub fn list_members(&self, q: &MemberQuery) -> CoreResult<MemberPage> {
        let limit = q.limit.clamp(1, 500) as usize;
        let (total, ids) = self.query_index(q, q.offset as usize, Some(limit))?;
        let rows = self.member_rows(&ids)?;
        Ok(MemberPage {
            rows,
            total: total as u32,
        })
    }

    /// The ids of every member matching `q` (all pages): for "select all" batch actions.
    pub fn member_ids(&self, q: &MemberQuery) -> CoreResult<Vec<MemberId>> {
        Ok(self.query_index(q, 0, None)?.1)
    }

    fn query_index(
        &self,
        q: &MemberQuery,
        offset: usize,
        limit: Option<usize>,
    ) -> CoreResult<(usize, Vec<MemberId>)> {
        let departments = match q.department_id {
            Some(d) if !(q.include_sub_departments && d == self.root_department()?) => {
                if q.include_sub_departments {
                    Some(self.department_subtree(d)?)
                } else {
                    Some(vec![d])
                }
            }
            _ => None,
        };
        let wanted = q.status;
        let status = move |s: MemberStatus| match wanted {
            StatusFilter::All => crate::index::is_active(s),
            StatusFilter::PendingJoin => s == MemberStatus::NotJoined,
            StatusFilter::Enabled => s == MemberStatus::Enabled,
            StatusFilter::Disabled => s == MemberStatus::Disabled,
            StatusFilter::Resigned => s == MemberStatus::Resigned,
        };
        self.with_index(|idx| {
            idx.query(
                &status,
                departments.as_deref(),
                q.search.as_deref(),
                offset,
                limit,
            )
        })
    }

    /// The list rows of these members, in this order (one who is gone is left out).
    fn member_rows(&self, ids: &[MemberId]) -> CoreResult<Vec<MemberRow>> {
        // One statement, prepared once and kept, read for each member in turn. A member has
        // at most one primary position; the roles come in the order of their ids.
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.name, m.username, m.status, m.employee_id, m.email, m.mobile,
                    d.name, p.title,
                    (SELECT group_concat(r.name, char(31)) FROM (SELECT r.name FROM member_roles mr JOIN roles r ON r.id = mr.role_id
                     WHERE mr.member_id = m.id ORDER BY mr.role_id) r)
             FROM members m
             LEFT JOIN positions p ON p.member_id = m.id AND p.is_primary = 1
             LEFT JOIN departments d ON d.id = p.department_id
             WHERE m.id = ?1",
        )?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let row = stmt
                .query_row([id], |r| {
                    Ok(row_into!(r => MemberRow {
                        id, name, username, status, employee_id, email, mobile, primary_department,
                        position;
                        roles: r
                            .get::<_, Option<String>>(9)?
                            .map(|s| s.split('\u{1f}').map(str::to_owned).collect())
                            .unwrap_or_default(),
                    }))
                })
                .optional()?;
            rows.extend(row);
        }
        Ok(rows)
    }

    /// Finds a member by numeric id, username or email (for the command line).
    pub fn find_member(&self, id_or_username: &str) -> CoreResult<MemberId> {
        let s = id_or_username.trim();
        let (sql, key) = if let Ok(n) = s.parse::<i64>() {
            ("SELECT id FROM members WHERE id = ?1", n.to_string())
        } else if s.contains('@') {
            (
                "SELECT id FROM members WHERE email_key = ?1",
                s.to_lowercase(),
            )
        } else {
            (
                "SELECT id FROM members WHERE username_key = ?1",
                s.to_ascii_lowercase(),
            )
        };
        let found: Option<MemberId> = self.conn.query_row(sql, [key], |r| r.get(0)).optional()?;
        found.ok_or_else(|| CoreError::NotFound(format!("No member \"{s}\".")))
    }

    /// The member added for invitation as `input` says, read once the change is back from the
    /// team's log: by the email address, which no two members share, or else the newest Not
    /// Joined member of that name (invitees alike in all of that differ in nothing else the
    /// admin entered).
    pub fn find_invitee(&self, input: &NewInvitee) -> CoreResult<MemberId> {
        if let Some(email) = input.email.as_deref().filter(|e| e.contains('@')) {
            return self.find_member(email);
        }
        let name = DisplayName::parse("name", "Name", &input.name)
            .map_err(|e| CoreError::invalid(vec![e]))?;
        let found: Option<MemberId> = self
            .conn
            .query_row(
                "SELECT id FROM members WHERE name = ?1 AND status = 'not_joined'
                 ORDER BY id DESC LIMIT 1",
                [name.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        found.ok_or_else(|| {
            CoreError::NotFound(format!("No one named \"{}\" to be invited.", name.as_str()))
        })
    }
}
