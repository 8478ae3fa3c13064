//! Deciding join requests: approve (creating the member where the admin chose) or reject, one
//! request or many, in one transaction, with the decision queued for the gateway.
//!
//! Many requests at once are all or nothing: when any of them cannot be decided (gone, decided
//! already, or it cannot make a member as entered) nothing is written and every such request
//! is named with its reason, so the admin fixes or leaves out those and tries again.

use orgdesk_protocol::JoinerDetails;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::{create_member, joining_rules_in, JoinRequestIn, JoiningRules, TellGateway};
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::refuse_account;
use crate::rows::{self, row_into};
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId, RoleId};

/// Where an approved person goes: a department and a role, the root department and the plain
/// member role when not given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinPlacement {
    #[serde(default)]
    #[ts(type = "number | null")]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub role_id: Option<RoleId>,
}

/// What an admin decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinDecision {
    Approve(JoinPlacement),
    Reject,
}

/// Why one request cannot be decided: the error kind a single decision gets, and the reason.
enum Refusal {
    Missing(String),
    Decided(String),
    Cannot(String),
}

impl Refusal {
    fn detail(&self) -> ErrorDetail {
        let (code, reason) = match self {
            Self::Missing(r) => ("not_found", r),
            Self::Decided(r) => ("already_decided", r),
            Self::Cannot(r) => ("cannot_approve", r),
        };
        ErrorDetail::field("request", code, reason.clone())
    }

    fn into_error(self) -> CoreError {
        match self {
            Self::Missing(r) => CoreError::NotFound(r),
            Self::Decided(r) => CoreError::Conflict(r),
            Self::Cannot(_) => CoreError::invalid(vec![self.detail()]),
        }
    }
}

/// A request as stored, with its state and whether its password hash was kept.
fn stored(tx: &Connection, id: i64) -> CoreResult<Option<(JoinRequestIn, String, bool)>> {
    Ok(tx
        .query_row(
            "SELECT name, email, mobile, employee_id, work_location, gateway_id, via, username,
                    password_hash, state, account_id
             FROM join_requests WHERE id = ?1",
            [id],
            |r| {
                let details =
                    row_into!(r => JoinerDetails { name, email, mobile, employee_id, work_location });
                let hash: Option<String> = r.get(8)?;
                Ok((
                    JoinRequestIn {
                        gateway_id: r.get(5)?,
                        via: r.get(6)?,
                        details,
                        username: r.get(7)?,
                        account_id: r.get(10)?,
                        approval_required: true,
                        password_hash: hash.clone().unwrap_or_default(),
                    },
                    r.get(9)?,
                    hash.is_some(),
                ))
            },
        )
        .optional()?)
}

/// Checks that the chosen department and role exist.
fn check_placement(tx: &Connection, p: JoinPlacement) -> CoreResult<()> {
    let chosen = [
        (
            "departments",
            "departmentId",
            "Department",
            p.department_id.map(|d| d.0),
        ),
        ("roles", "roleId", "Role", p.role_id.map(|r| r.0)),
    ];
    for (table, field, label, id) in chosen {
        let Some(id) = id else { continue };
        let found = rows::exists(tx, &format!("SELECT 1 FROM {table} WHERE id = ?1"), [id])?;
        if !found {
            return Err(CoreError::invalid(vec![ErrorDetail::field(
                field,
                "not_found",
                format!("{label} {id} does not exist."),
            )]));
        }
    }
    Ok(())
}

/// How a decision is judged and told: the joining rules an approval is checked against, and
/// whether the gateway hears it from here.
#[derive(Clone, Copy)]
pub(crate) struct Deciding<'a> {
    pub rules: &'a JoiningRules,
    pub tell: TellGateway,
}

/// Decides one request inside `tx`: the member approval created, or why it cannot be decided.
fn decide_one(
    tx: &Connection,
    actor: &Actor,
    id: i64,
    decision: JoinDecision,
    how: Deciding<'_>,
    now: i64,
) -> CoreResult<Result<Option<MemberId>, Refusal>> {
    let Some((request, state, hash_kept)) = stored(tx, id)? else {
        return Ok(Err(Refusal::Missing(format!(
            "Join request {id} no longer exists."
        ))));
    };
    let name = &request.details.name;
    let approve = matches!(decision, JoinDecision::Approve(_));
    if state == "approved" || (state == "rejected" && !approve) {
        return Ok(Err(Refusal::Decided(format!(
            "The request from {name} was already {state}."
        ))));
    }
    let mut member = None;
    if let JoinDecision::Approve(placement) = decision {
        let next = if state == "pending" {
            "Reject the request and ask them to apply again."
        } else {
            "Ask them to apply again."
        };
        if !hash_kept {
            return Ok(Err(Refusal::Cannot(format!(
                "{name} cannot be added: the password they chose was not kept. {next}"
            ))));
        }
        match create_member(tx, &request, placement, how.rules, now)? {
            Ok(m) => member = Some(m),
            Err(problem) => {
                return Ok(Err(Refusal::Cannot(format!(
                    "{name} cannot be added as entered: {problem} {next}"
                ))))
            }
        }
        // A refusal of their account not yet sent would undo this approval at the gateway.
        tx.execute(
            "DELETE FROM gateway_refusals WHERE account_id = ?1",
            [&request.account_id],
        )?;
    } else if let (Some(account), TellGateway::Yes) = (&request.account_id, how.tell) {
        // A gateway that let the person in before asking (its rules said no approval)
        // removes the account; one that waited never made it and marks the request refused.
        refuse_account(tx, account, "Your request to join was declined.")?;
    }
    let decided = if approve { "approved" } else { "rejected" };
    tx.execute(
        "UPDATE join_requests SET state = ?2, member_id = ?3, decided_at = ?4, decided_by = ?5,
             password_hash = CASE WHEN ?2 = 'approved' THEN NULL ELSE password_hash END,
             problem = CASE WHEN ?2 = 'approved' THEN NULL ELSE problem END
         WHERE id = ?1",
        params![id, decided, member, now, actor.name],
    )?;
    // Only the latest decision matters to the gateway, told by the computer that made it.
    tx.execute(
        "DELETE FROM gateway_outbox WHERE kind = 'join_decision' AND target = ?1",
        [&request.gateway_id],
    )?;
    if how.tell == TellGateway::Yes {
        tx.execute(
            "INSERT INTO gateway_outbox (kind, target, value) VALUES ('join_decision', ?1, ?2)",
            params![request.gateway_id, decided],
        )?;
    }
    let mut entry = audit::Entry::on(
        if approve {
            "join_request.approve"
        } else {
            "join_request.reject"
        },
        "member",
        member.map(|m| m.0),
        Some(name),
    );
    if let JoinDecision::Approve(p) = decision {
        entry = entry.after(json!({
            "departmentId": p.department_id,
            "roleId": p.role_id,
            "reapproved": state == "rejected",
        }));
    }
    audit::record(tx, now, actor, entry)?;
    Ok(Ok(member))
}

impl Directory {
    /// Approves (creating the member in the root department with the member role) or rejects
    /// a waiting request; a rejected request may still be approved. The decision is queued for
    /// the gateway in the same transaction. Approval that would clash with an existing member
    /// writes nothing and says which field.
    pub fn decide_join_request(
        &mut self,
        actor: &Actor,
        id: i64,
        approve: bool,
    ) -> CoreResult<Option<MemberId>> {
        let decision = if approve {
            JoinDecision::Approve(JoinPlacement::default())
        } else {
            JoinDecision::Reject
        };
        Ok(self
            .decide_join_requests(actor, &[id], decision)?
            .into_iter()
            .next())
    }

    /// Decides every request in `ids` in one transaction, all or nothing (see the module's
    /// note), and returns the members approval created. One request refused gets the error of
    /// its kind (not found, conflict, validation); several get one validation error naming
    /// each request and its reason.
    pub fn decide_join_requests(
        &mut self,
        actor: &Actor,
        ids: &[i64],
        decision: JoinDecision,
    ) -> CoreResult<Vec<MemberId>> {
        let rules = joining_rules_in(&self.conn)?;
        let how = Deciding {
            rules: &rules,
            tell: TellGateway::Yes,
        };
        self.decide_join_requests_as(actor, ids, decision, how)
    }

    /// [`Self::decide_join_requests`], judged and told as `how` says (a `join.decide` change
    /// of the team's log: by the rules its author's computer holds, told by that computer).
    pub(crate) fn decide_join_requests_as(
        &mut self,
        actor: &Actor,
        ids: &[i64],
        decision: JoinDecision,
        how: Deciding<'_>,
    ) -> CoreResult<Vec<MemberId>> {
        CoreError::unless_chosen(ids, "ids", "Choose at least one join request.")?;
        // The role people join with is the admin's to give as any role is: the Super Admin
        // role only a Super Admin gives.
        if let JoinDecision::Approve(JoinPlacement {
            role_id: Some(role),
            ..
        }) = decision
        {
            self.guard_super_admin_grant(actor, &[], &[role], "roleId")?;
        }
        let (now, tx) = self.begin()?;
        if let JoinDecision::Approve(p) = decision {
            check_placement(&tx, p)?;
        }
        let mut members = Vec::new();
        let mut refusals = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &id in ids.iter().filter(|id| seen.insert(**id)) {
            match decide_one(&tx, actor, id, decision, how, now)? {
                Ok(member) => members.extend(member),
                Err(refusal) => refusals.push(refusal),
            }
        }
        if seen.len() == 1 {
            if let Some(refusal) = refusals.pop() {
                return Err(refusal.into_error());
            }
        }
        if !refusals.is_empty() {
            return Err(CoreError::invalid(
                refusals.iter().map(Refusal::detail).collect(),
            ));
        }
        tx.commit()?;
        self.touch_members(&members);
        Ok(members)
    }
}

impl Directory {
    /// The gateway's ids of the requests `ids` names here, in order (what a `join.decide`
    /// change carries: a request's number here is this computer's own); a request not here is
    /// refused as deciding it would be.
    pub fn join_request_gateway_ids(&self, ids: &[i64]) -> CoreResult<Vec<String>> {
        ids.iter()
            .map(|id| {
                self.conn
                    .query_row(
                        "SELECT gateway_id FROM join_requests WHERE id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or_else(|| {
                        CoreError::NotFound(format!("Join request {id} no longer exists."))
                    })
            })
            .collect()
    }

    /// The members the requests `ids` made once approved, in order (none for a request
    /// not approved).
    pub fn join_request_members(&self, ids: &[i64]) -> CoreResult<Vec<MemberId>> {
        let ids = serde_json::to_string(ids).unwrap_or_default();
        Ok(rows::all(
            &self.conn,
            "SELECT member_id FROM join_requests
             WHERE id IN (SELECT value FROM json_each(?1))
               AND state = 'approved' AND member_id IS NOT NULL
             ORDER BY id",
            [ids],
            |r| r.get(0),
        )?)
    }

    /// The name of the one request `gateway_ids` names, when it names one this directory
    /// holds (for describing a decision).
    pub(crate) fn join_request_name(&self, gateway_ids: &[String]) -> Option<String> {
        let [id] = gateway_ids else { return None };
        self.conn
            .query_row(
                "SELECT name FROM join_requests WHERE gateway_id = ?1",
                [id],
                |r| r.get(0),
            )
            .ok()
    }

    /// A `join.decide` change applied: the requests named by the gateway's ids, decided as
    /// [`Self::decide_join_requests`] decides them, judged and told as `how` says.
    pub(crate) fn decide_join_by_gateway_ids(
        &mut self,
        actor: &Actor,
        gateway_ids: &[String],
        approve: bool,
        placement: JoinPlacement,
        how: Deciding<'_>,
    ) -> CoreResult<()> {
        let known: std::collections::HashMap<String, i64> = rows::all(
            &self.conn,
            "SELECT gateway_id, id FROM join_requests
             WHERE gateway_id IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(gateway_ids).unwrap_or_default()],
            |r| rows::columns(r),
        )?
        .into_iter()
        .collect();
        let ids = gateway_ids
            .iter()
            .map(|gateway_id| {
                known.get(gateway_id).copied().ok_or_else(|| {
                    CoreError::NotFound(format!(
                        "The join request {gateway_id} is not in this directory."
                    ))
                })
            })
            .collect::<CoreResult<Vec<i64>>>()?;
        let decision = if approve {
            JoinDecision::Approve(placement)
        } else {
            JoinDecision::Reject
        };
        self.decide_join_requests_as(actor, &ids, decision, how)
            .map(drop)
    }
}
