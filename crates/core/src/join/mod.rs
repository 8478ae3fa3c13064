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

pub(crate) use decide::Deciding;
pub use decide::{JoinDecision, JoinPlacement};
pub use list::{JoinRequestFilter, JoinRequestPage, JoinRequestRow, MAX_JOIN_REQUEST_PAGE};

use orgdesk_protocol::{JoinField, JoinerDetails};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::{
    audit_refused_event, bind_account, member_by_account, refuse_account, valid_account_id,
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

/// A request as the gateway reported it (in a team, carried as such by a `join.request`
/// change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

/// The joining rules as an admin last set them where the join link is switched on. Joins are
/// judged by these, never by what an event claims; until an admin sets them, every join waits
/// for approval. They are the organization's (organization-wide settings the checksum and the
/// snapshot carry): in a team they are set by a `join.rules` change, so every computer holds
/// the same; a join change still carries the rules its author's computer held when it made it,
/// and every computer judges it by those.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JoiningRules {
    pub approval_required: bool,
    /// Wire names: `email`, `mobile`, `employee_id`, `work_location`.
    pub required_fields: Vec<String>,
}

impl JoiningRules {
    /// Refuses a field a person cannot be asked for, naming it.
    pub fn check(&self) -> Result<(), ErrorDetail> {
        let Some(bad) = self
            .required_fields
            .iter()
            .find(|f| JoinField::parse(f).is_none())
        else {
            return Ok(());
        };
        let known: Vec<&str> = JoinField::ALL.iter().map(|f| f.as_str()).collect();
        Err(ErrorDetail::field(
            "requiredFields",
            "invalid",
            format!(
                "\"{bad}\" is not a field a person can be asked for (one of: {}).",
                known.join(", ")
            ),
        ))
    }
}

impl From<JoinLinkInput> for JoiningRules {
    fn from(input: JoinLinkInput) -> Self {
        Self {
            approval_required: input.approval_required,
            required_fields: input.required_fields,
        }
    }
}

/// The settings that hold the joining rules.
pub(crate) const RULES_APPROVAL_KEY: &str = "join.approval_required";
pub(crate) const RULES_FIELDS_KEY: &str = "join.required_fields";

pub(crate) fn joining_rules_in(conn: &rusqlite::Connection) -> rusqlite::Result<JoiningRules> {
    let value = |key: &str| crate::settings::local_value_in(conn, key);
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

/// Why the entered fields cannot make a member here under `rules`, if they cannot (checked
/// again on approval).
fn field_problem(
    tx: &Connection,
    r: &JoinRequestIn,
    rules: &JoiningRules,
) -> CoreResult<Option<String>> {
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
    for field in &rules.required_fields {
        let Some(field) = JoinField::parse(field) else {
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
    rules: &JoiningRules,
    now: i64,
) -> CoreResult<Result<MemberId, String>> {
    if let Some(p) = field_problem(tx, r, rules)? {
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
        bind_account(tx, *member, account)?;
    }
    Ok(created)
}

/// What the gateway must hear of a join change: told by the computer that made the change,
/// or left to it (another computer of the team applying it), since the gateway must hear it
/// once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TellGateway {
    Yes,
    LeftToAuthor,
}

/// Records a request from the feed (once per gateway id: one already recorded is passed
/// over), judged by `rules`. Returns the member created when the request needed no approval.
pub(crate) fn record(
    tx: &Connection,
    r: &JoinRequestIn,
    rules: &JoiningRules,
    tell: TellGateway,
    now: i64,
) -> CoreResult<Option<MemberId>> {
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
    let let_in = !r.approval_required && !rules.approval_required;
    let (state, problem, member) = if !let_in {
        ("pending", field_problem(tx, r, rules)?, None)
    } else {
        match create_member(tx, r, JoinPlacement::default(), rules, now)? {
            Ok(id) => ("approved", None, Some(id)),
            // Let in by the gateway but impossible here as entered: refused, and the gateway
            // removes the account and tells the person why.
            Err(p) => ("rejected", Some(p), None),
        }
    };
    if state == "rejected" {
        let reason = problem.as_deref().unwrap_or_default();
        if let (Some(account), TellGateway::Yes) = (&r.account_id, tell) {
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
    /// Records a request a `join.request` change of the team's log carries, judged by the
    /// rules it carries (see [`record`]).
    pub(crate) fn record_join_request(
        &mut self,
        r: &JoinRequestIn,
        rules: &JoiningRules,
        tell: TellGateway,
    ) -> CoreResult<()> {
        let (now, tx) = self.begin()?;
        let member = record(&tx, r, rules, tell, now)?;
        tx.commit()?;
        self.touch_members(member.as_slice());
        Ok(())
    }

    /// The joining rules this directory judges joins by.
    pub fn joining_rules(&self) -> CoreResult<JoiningRules> {
        Ok(joining_rules_in(&self.conn)?)
    }

    /// Records the joining rules an admin set (after the gateway accepted them; in a team, a
    /// `join.rules` change of the log), both in one transaction; a field a person cannot be
    /// asked for is refused.
    pub fn record_joining_rules(&mut self, rules: &JoiningRules) -> CoreResult<()> {
        rules.check().map_err(|d| CoreError::invalid(vec![d]))?;
        let (_, tx) = self.begin()?;
        let approval = if rules.approval_required { "1" } else { "0" };
        crate::settings::set_value_in(&tx, RULES_APPROVAL_KEY, approval)?;
        crate::settings::set_value_in(&tx, RULES_FIELDS_KEY, &rules.required_fields.join(","))?;
        tx.commit()?;
        Ok(())
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
