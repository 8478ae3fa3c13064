//! The member row's stored fields, its status column and the folded text the member index
//! searches: shared by the store (repairing old directories), the index and members, and so
//! kept below all three.

use rusqlite::params;

use crate::types::{fold_search, MemberId, MemberStatus};

pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) username: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) employee_id: Option<String>,
    pub(crate) org_email: Option<String>,
    pub(crate) work_location: Option<String>,
    pub(crate) status: MemberStatus,
}

/// The folded text the member index searches.
pub(crate) fn search_text(r: &Row) -> String {
    let mut s = String::new();
    for part in [
        Some(&r.name),
        r.username.as_ref(),
        r.email.as_ref(),
        r.mobile.as_ref(),
        r.employee_id.as_ref(),
        r.org_email.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        s.push_str(&fold_search(part));
        s.push('\u{1}');
    }
    s
}

pub(crate) fn status_from_str(s: &str) -> MemberStatus {
    match s {
        "not_joined" => MemberStatus::NotJoined,
        "pending_approval" => MemberStatus::PendingApproval,
        "rejected" => MemberStatus::Rejected,
        "disabled" => MemberStatus::Disabled,
        "resigned" => MemberStatus::Resigned,
        _ => MemberStatus::Enabled,
    }
}

/// Recomputes a member's search text after a change made outside the edit path (the member's
/// own change reported by the gateway).
pub(crate) fn refresh_search_text(
    conn: &rusqlite::Connection,
    id: MemberId,
) -> rusqlite::Result<()> {
    let row = conn.query_row(
        "SELECT name, username, email, mobile, employee_id, org_email, work_location FROM members WHERE id = ?1",
        [id],
        |r| {
            Ok(Row {
                name: r.get(0)?,
                username: r.get(1)?,
                email: r.get(2)?,
                mobile: r.get(3)?,
                employee_id: r.get(4)?,
                org_email: r.get(5)?,
                work_location: r.get(6)?,
                status: MemberStatus::Enabled,
            })
        },
    )?;
    conn.execute(
        "UPDATE members SET search_text = ?2 WHERE id = ?1",
        params![id, search_text(&row)],
    )?;
    Ok(())
}
