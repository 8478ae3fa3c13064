//! The Join Requests list: which requests (waiting, rejected or all), found by what the
//! person entered, one page at a time.

use rusqlite::params;
use rusqlite::types::{FromSql, FromSqlResult, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::JoinRequestState;
use crate::error::CoreResult;
use crate::rows::row_into;
use crate::store::Directory;

/// The most join requests one answer holds.
pub const MAX_JOIN_REQUEST_PAGE: u32 = 2_000;

/// Which join requests a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestFilter {
    /// Waiting for a decision.
    #[default]
    Waiting,
    /// Turned down (by an admin or by the directory's rules); these may be approved later.
    Rejected,
    /// Every request, decided or not.
    All,
}

impl JoinRequestFilter {
    /// The stored state the filter keeps, or `None` for every state.
    fn state(self) -> Option<&'static str> {
        match self {
            Self::Waiting => Some("pending"),
            Self::Rejected => Some("rejected"),
            Self::All => None,
        }
    }

    /// `waiting`, `rejected` or `all` (the command line's words).
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "waiting" => Self::Waiting,
            "rejected" => Self::Rejected,
            "all" => Self::All,
            _ => return None,
        })
    }
}

/// One page of join requests and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestPage {
    pub rows: Vec<JoinRequestRow>,
    pub total: u32,
}

/// One row of the Join Requests screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequestRow {
    #[ts(type = "number")]
    pub id: i64,
    /// `link` or `code`.
    pub via: String,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub employee_id: Option<String>,
    pub work_location: Option<String>,
    pub state: JoinRequestState,
    /// Why approving as is would fail (a username or email already used here), if so.
    pub problem: Option<String>,
    #[ts(type = "number | null")]
    pub member_id: Option<i64>,
    #[ts(type = "number")]
    pub requested_at: i64,
    #[ts(type = "number | null")]
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
}

/// The state column, read as the state it names.
impl FromSql for JoinRequestState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(match value.as_str()? {
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        })
    }
}

/// The condition every list query shares: `?1` the state (NULL for all), `?2` the search,
/// matched case-insensitively anywhere in the name, username, email or mobile.
const MATCHES: &str = "(?1 IS NULL OR state = ?1)
    AND (?2 = '' OR instr(lower(name || char(31) || username || char(31) || coalesce(email, '')
                                || char(31) || coalesce(mobile, '')), ?2) > 0)";

impl Directory {
    /// Join requests, pending first, then the most recent decisions.
    pub fn join_requests(&self, pending_only: bool) -> CoreResult<Vec<JoinRequestRow>> {
        let filter = if pending_only {
            JoinRequestFilter::Waiting
        } else {
            JoinRequestFilter::All
        };
        Ok(self
            .join_request_page(filter, "", 0, MAX_JOIN_REQUEST_PAGE)?
            .rows)
    }

    /// One page of the requests `filter` keeps whose name, username, email or mobile holds
    /// `search` (any case; blank finds all): waiting ones first, then the newest decided,
    /// with how many match in all; `limit` is at most `MAX_JOIN_REQUEST_PAGE`.
    pub fn join_request_page(
        &self,
        filter: JoinRequestFilter,
        search: &str,
        offset: u32,
        limit: u32,
    ) -> CoreResult<JoinRequestPage> {
        let state = filter.state();
        let search = search.trim().to_lowercase();
        let total = self.conn.query_row(
            &format!("SELECT count(*) FROM join_requests WHERE {MATCHES}"),
            params![state, search],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, via, name, username, email, mobile, employee_id, work_location, state, problem,
                    member_id, requested_at, decided_at, decided_by
             FROM join_requests
             WHERE {MATCHES}
             ORDER BY state <> 'pending', coalesce(decided_at, requested_at) DESC, id DESC
             LIMIT ?3 OFFSET ?4"
        ))?;
        let limit = limit.min(MAX_JOIN_REQUEST_PAGE);
        let rows = stmt.query_map(params![state, search, limit, offset], |r| {
            Ok(row_into!(r => JoinRequestRow {
                id, via, name, username, email, mobile, employee_id, work_location, state, problem,
                member_id, requested_at, decided_at, decided_by
            }))
        })?;
        Ok(JoinRequestPage {
            rows: rows.collect::<Result<_, _>>()?,
            total,
        })
    }

    /// How many join requests wait for a decision.
    pub fn pending_join_requests(&self) -> CoreResult<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM join_requests WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }
}
