//! Listing invitations: a page of them, newest first, and the counts for the status line.

use rusqlite::{params, OptionalExtension};

use super::{
    language_or, InvitationCounts, InvitationPage, InvitationQuery, InvitationRow,
    MAX_INVITATION_PAGE,
};
use crate::error::{CoreError, CoreResult};
use crate::rows::row_into;
use crate::store::Directory;
use crate::types::fold_search;

/// The rows a query matches: its states (`?1`, JSON), its member (`?2`) and its search text
/// (`?3`, folded; empty for all), over `invitations i JOIN members m`.
const MATCHES: &str = "(?1 = '[]' OR i.state IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR i.member_id = ?2)
               AND (?3 = '' OR instr(m.search_text, ?3) > 0 OR instr(lower(i.recipient), ?3) > 0)";

impl Directory {
    /// One page of the invitations `q` asks for, newest first, with how many match in all.
    pub fn invitation_page(&self, q: &InvitationQuery) -> CoreResult<InvitationPage> {
        let rows = self.list_invitations(q)?;
        let (states_json, _) = states_filter(q);
        let total = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM invitations i JOIN members m ON m.id = i.member_id
                 WHERE {MATCHES}"
            ),
            params![states_json, q.member_id, search_text(q)],
            |r| r.get(0),
        )?;
        Ok(InvitationPage { rows, total })
    }

    /// Invitations, newest first: from `q.offset`, `q.limit` of them (at most
    /// `MAX_INVITATION_PAGE`).
    pub fn list_invitations(&self, q: &InvitationQuery) -> CoreResult<Vec<InvitationRow>> {
        let (states_json, limit) = states_filter(q);
        let org_language = self.invitation_language()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT i.id, i.member_id, m.name, i.channel, i.recipient, i.state, i.link, i.inviter_name,
                    i.created_at, i.updated_at, i.expires_at, i.last_error, i.pending_action IS NOT NULL,
                    i.state = 'delivered' AND i.kept_message_id IS NOT NULL, i.locale
             FROM invitations i JOIN members m ON m.id = i.member_id
             WHERE {MATCHES}
             ORDER BY i.created_at DESC, i.id DESC
             LIMIT ?4 OFFSET ?5"
        ))?;
        let args = params![states_json, q.member_id, search_text(q), limit, q.offset];
        let rows = stmt.query_map(args, |r| {
            Ok(row_into!(r => InvitationRow {
                id, member_id, member_name, channel, recipient, state, link, inviter_name,
                created_at, updated_at, expires_at, last_error, awaiting_gateway, kept;
                language: language_or(r.get(14)?, org_language),
            }))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The Message-ID of the invitation's message kept in the gateway's mail folder, if it was
    /// kept rather than sent.
    pub fn kept_message_id(&self, id: i64) -> CoreResult<String> {
        let kept: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT kept_message_id FROM invitations WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match kept {
            None => Err(CoreError::NotFound("There is no such invitation.".into())),
            Some(None) => Err(CoreError::NotFound(
                "This invitation was sent, not kept on this computer: its message is not here."
                    .into(),
            )),
            Some(Some(id)) => Ok(id),
        }
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

/// The query's search text as the members' search text is stored: trimmed, folded for case
/// and accents; empty for no search.
fn search_text(q: &InvitationQuery) -> String {
    fold_search(q.search.as_deref().unwrap_or("").trim())
}
