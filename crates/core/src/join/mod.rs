//! Join requests: people who asked to join through the public join link or the organization
//! code. The gateway reports each request in its event feed; an admin approves (the member is
//! created, Enabled, in the department and with the role the admin chose — the root
//! department and the plain member role unless told otherwise — with the username and password
//! they chose) or rejects it, and the decision travels back to the gateway through the durable
//! outbox. A rejected request keeps what the person entered (their password hash too) so that
//! it can still be approved; the list and its search are in `list.rs`, decisions in
//! `decide.rs`.

mod decide;
mod list;

pub use decide::{JoinDecision, JoinPlacement};
pub use list::{JoinRequestFilter, JoinRequestPage, JoinRequestRow, MAX_JOIN_REQUEST_PAGE};

use orgdesk_protocol::{JoinField, JoinerDetails};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::CoreResult;
use crate::gateway_accounts::{
    audit_refused_event, member_by_account, refuse_account, valid_account_id,
};
use crate::rows;
use crate::store::Directory;
use crate::types::{DepartmentId, DisplayName, Email, MemberId, Mobile, RoleId, Username};

/// What a person entered on the join page, checked, for creating their member record.
pub(crate) struct Joined<'a> {
    /// The name is taken trimmed.
    pub details: &'a JoinerDetails,
    pub username: &'a str,
    pub password_hash: &'a str,
    /// Where the member goes and the role they get (the root department and the member role
    /// when `None`).
    pub department: Option<DepartmentId>,
    pub role: Option<RoleId>,
}

/// A request as the gateway reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestIn {
    pub gateway_id: String,
    /// `link` or `code`.
    pub via: String,
    pub details: JoinerDetails,
    /// The gateway account the person gets if let in; the member is bound to it.
    pub account_id: Option<String>,
    pub username: String,
    pub password_hash: String,
    /// When false the gateway already let the person in. The member is created at once only
    /// when the directory's own joining rules agree (see [`Directory::joining_rules`]).
    pub approval_required: bool,
}

/// The joining rules as the admin last set them in this directory. Joins are judged by these,
/// never by what an event claims; until an admin sets them, every join waits for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoiningRules {
    pub approval_required: bool,
    /// Wire names: `email`, `mobile`, `employee_id`, `work_location`.
    pub required_fields: Vec<String>,
}

const RULES_APPROVAL_KEY: &str = "join.approval_required";
const RULES_FIELDS_KEY: &str = "join.required_fields";

pub(crate) fn joining_rules_in(conn: &rusqlite::Connection) -> rusqlite::Result<JoiningRules> {
    let value = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
    };
    Ok(JoiningRules {
        approval_required: value(RULES_APPROVAL_KEY)?.as_deref() != Some("0"),
        required_fields: value(RULES_FIELDS_KEY)?
            .unwrap_or_default()
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestState {
    Pending,
    Approved,
    Rejected,
}

/// Why the entered fields cannot make a member here, if they cannot (checked again on approval).
fn field_problem(tx: &Connection, r: &JoinRequestIn) -> CoreResult<Option<String>> {
    let region = crate::settings::default_region_in(tx)?;
    let mut problems = Vec::new();
    let details = &r.details;
    if let Err(p) = DisplayName::parse("name", "Name", &details.name) {
        problems.push(p.reason);
    }
    if let Err(p) = Username::parse(&r.username) {
        problems.push(p.reason);
    }
    if let Some(Err(p)) = details.email.as_deref().map(|e| Email::parse("email", e)) {
        problems.push(p.reason);
    }
    if let Some(Err(p)) = details
        .mobile
        .as_deref()
        .map(|m| Mobile::parse("mobile", m, &region))
    {
        problems.push(p.reason);
    }
    if let Err(p) = orgdesk_rules::password::check_password_hash(&r.password_hash) {
        problems.push(format!(
            "The gateway sent a password that cannot be kept: {p}."
        ));
    }
    for field in joining_rules_in(tx)?.required_fields {
        let Some(field) = JoinField::parse(&field) else {
            continue;
        };
        let label = match field {
            JoinField::Email => "Email",
            JoinField::Mobile => "Mobile",
            JoinField::EmployeeId => "Employee ID",
            JoinField::WorkLocation => "Work location",
        };
        if details.field(field).is_none_or(|v| v.trim().is_empty()) {
            problems.push(format!("{label} is required to join."));
        }
    }
    Ok((!problems.is_empty()).then(|| problems.join(" ")))
}

fn create_member(
    tx: &Connection,
    r: &JoinRequestIn,
    placement: JoinPlacement,
    now: i64,
) -> CoreResult<Result<MemberId, String>> {
    if let Some(p) = field_problem(tx, r)? {
        return Ok(Err(p));
    }
    let joined = Joined {
        details: &r.details,
        username: r.username.trim(),
        password_hash: &r.password_hash,
        department: placement.department_id,
        role: placement.role_id,
    };
    if let Some(account) = &r.account_id {
        if !valid_account_id(account) || member_by_account(tx, account)?.is_some() {
            return Ok(Err(
                "The gateway named an account that is not this person's.".to_owned(),
            ));
        }
    }
    let created = Directory::insert_joined(tx, &joined, now)?.map_err(|problems| {
        problems
            .into_iter()
            .map(|p| p.reason)
            .collect::<Vec<_>>()
            .join(" ")
    });
    if let (Ok(member), Some(account)) = (&created, &r.account_id) {
        tx.execute(
            "UPDATE members SET gateway_account_id = ?2 WHERE id = ?1",
            params![member, account],
        )?;
    }
    Ok(created)
}

/// Records a request from the feed (once per gateway id). Returns the member created when
/// the request needed no approval.
pub(crate) fn record(tx: &Connection, r: &JoinRequestIn, now: i64) -> CoreResult<Option<MemberId>> {
    let known = rows::exists(
        tx,
        "SELECT id FROM join_requests WHERE gateway_id = ?1",
        [&r.gateway_id],
    )?;
    if known {
        return Ok(None);
    }
    let via = if r.via == "code" { "code" } else { "link" };
    // Let in at once only when both the gateway and this directory's rules say so.
    let let_in = !r.approval_required && !joining_rules_in(tx)?.approval_required;
    let (state, problem, member) = if !let_in {
        ("pending", field_problem(tx, r)?, None)
    } else {
        match create_member(tx, r, JoinPlacement::default(), now)? {
            Ok(id) => ("approved", None, Some(id)),
            // Let in by the gateway but impossible here as entered: refused, and the gateway
            // removes the account and tells the person why.
            Err(p) => ("rejected", Some(p), None),
        }
    };
    if state == "rejected" {
        let reason = problem.as_deref().unwrap_or_default();
        if let Some(account) = &r.account_id {
            refuse_account(
                tx,
                account,
                &format!("Your request to join was not accepted: {reason}"),
            )?;
        }
        audit_refused_event(tx, now, None, "join_requested", reason)?;
    }
    tx.execute(
        "INSERT INTO join_requests (gateway_id, via, name, email, mobile, employee_id, work_location, username,
                                    password_hash, state, problem, member_id, requested_at, decided_at, decided_by,
                                    account_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            r.gateway_id,
            via,
            r.details.name,
            r.details.email,
            r.details.mobile,
            r.details.employee_id,
            r.details.work_location,
            r.username,
            // Kept until the request is approved: a rejected one may be approved later.
            (state != "approved").then_some(&r.password_hash),
            state,
            problem,
            member,
            now,
            (state != "pending").then_some(now),
            match state {
                "approved" => Some("Joined without approval"),
                "rejected" => Some("Refused by the directory"),
                _ => None,
            },
            r.account_id,
        ],
    )?;
    if let Some(id) = member {
        audit::record(
            tx,
            now,
            &Actor::member(id, r.details.name.clone()),
            audit::Entry::member("member.joined_by_link", id, &r.details.name)
                .after(json!({"username": r.username, "via": via})),
        )?;
    }
    Ok(member)
}

impl Directory {
    /// The joining rules this directory judges joins by.
    pub fn joining_rules(&self) -> CoreResult<JoiningRules> {
        Ok(joining_rules_in(&self.conn)?)
    }

    /// Records the joining rules the admin set (after the gateway accepted them).
    pub fn record_joining_rules(&mut self, rules: &JoiningRules) -> CoreResult<()> {
        self.set_local_value(
            RULES_APPROVAL_KEY,
            if rules.approval_required { "1" } else { "0" },
        )?;
        self.set_local_value(RULES_FIELDS_KEY, &rules.required_fields.join(","))
    }
}

/// The public join link and organization code, as the Join Requests screen shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinLinkView {
    pub enabled: bool,
    pub link: Option<String>,
    pub code: Option<String>,
    /// The page where a person types the organization code.
    pub code_url: Option<String>,
    pub approval_required: bool,
    /// Fields a person must fill in besides name, username and password:
    /// `email`, `mobile`, `employee_id`, `work_location`.
    pub required_fields: Vec<String>,
    /// The link as a QR code (an SVG document made here from the link alone).
    pub qr_svg: Option<String>,
}

/// The rules an admin sets for the join link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinLinkInput {
    pub approval_required: bool,
    #[serde(default)]
    pub required_fields: Vec<String>,
}
