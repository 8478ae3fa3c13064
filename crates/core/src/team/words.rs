//! What a change of the log would have done and why it was refused, as codes and values the
//! window words in the admin's language (`RefusedChange::kind`, `values`, `code`), beside the
//! English sentences (`Command::describe`, the core's reason) the command line prints.

use std::collections::BTreeMap;

use orgdesk_protocol::{Event, EventKind};

use super::Command;
use crate::error::CoreError;
use crate::members::MemberAction;
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId};

/// A department's name as `d` holds it, and whether it is the root; None once it is gone.
pub(super) fn department_name(d: &Directory, id: DepartmentId) -> Option<(bool, String)> {
    d.department_row(id)
        .ok()
        .map(|(parent, name)| (parent.is_none(), name))
}

/// A member's name as `d` holds it; None once the member is gone.
pub(super) fn member_name(d: &Directory, id: MemberId) -> Option<String> {
    d.connection()
        .query_row("SELECT name FROM members WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })
        .ok()
}

impl Command {
    /// The change's kind as its body names it ("member.add").
    pub(crate) fn kind(&self) -> Option<String> {
        serde_json::to_value(self)
            .ok()?
            .as_object()?
            .keys()
            .next()
            .cloned()
    }

    /// The names its description uses, by kind: `department`, `member`, `parent`, `name`,
    /// `username`, `action` (`member.status`'s action; `set` or `clear` for a head),
    /// `count` (members of a batch or invited, rows of an import part, join requests decided,
    /// invitations resent or cancelled; `action`
    /// `approve` or `reject` there), `part` and `parts`. A department or member that is gone is named by its id (`#7`).
    pub(crate) fn values(&self, d: &Directory) -> BTreeMap<String, String> {
        let dept = |id: &DepartmentId| department_name(d, *id).map_or(format!("#{id}"), |n| n.1);
        let mut v: Vec<(&str, String)> = Vec::new();
        // The department it acts on.
        match self {
            Self::RenameDepartment { department_id, .. }
            | Self::MoveDepartment { department_id, .. }
            | Self::SetDepartmentHead { department_id, .. }
            | Self::DeleteDepartment { department_id }
            | Self::SetPrimaryDepartment { department_id, .. } => {
                v.push(("department", dept(department_id)));
            }
            _ => {}
        }
        // The member it acts on.
        match self {
            Self::UpdateMember { member_id, .. }
            | Self::RemoveMember { member_id, .. }
            | Self::ChangeStatus { member_id, .. }
            | Self::SetPrimaryDepartment { member_id, .. }
            | Self::SetPassword { member_id, .. }
            | Self::SetDepartmentHead {
                head_id: Some(member_id),
                ..
            } => {
                let name = member_name(d, *member_id).unwrap_or_else(|| format!("#{member_id}"));
                v.push(("member", name));
            }
            _ => {}
        }
        // What else its wording says.
        match self {
            Self::CreateDepartment { parent_id, name } => {
                v.extend([("parent", dept(parent_id)), ("name", name.clone())]);
            }
            Self::MoveDepartment { parent_id, .. } => v.push(("parent", dept(parent_id))),
            Self::RenameDepartment { name, .. } | Self::RenameOrganization { name } => {
                v.push(("name", name.clone()));
            }
            Self::SetDepartmentHead { head_id, .. } => {
                v.push((
                    "action",
                    if head_id.is_some() { "set" } else { "clear" }.into(),
                ));
            }
            Self::ChangeStatus { action, .. } => v.push(("action", action_name(*action))),
            Self::AddMember { member, .. } => v.extend([
                ("name", member.name.clone()),
                ("username", member.username.clone()),
            ]),
            Self::BatchUpdate { member_ids, .. } => v.push(("count", member_ids.len().to_string())),
            Self::CreateRole { role } => v.push(("name", role.name.clone())),
            Self::AddInvitee { invitee } => v.push(("name", invitee.name.clone())),
            Self::Import(part) => v.extend([
                ("count", part.len().to_string()),
                ("part", part.part.to_string()),
                ("parts", part.parts.to_string()),
            ]),
            Self::JoinRequest { request, .. } => v.extend([
                ("name", request.details.name.clone()),
                ("username", request.username.clone()),
            ]),
            Self::MemberEvent { event } => {
                let (action, username) = member_event_words(event);
                v.extend([
                    ("action", action.to_owned()),
                    ("username", username.to_owned()),
                ]);
            }
            Self::DecideJoin {
                request_ids,
                approve,
                ..
            } => v.extend([
                ("action", if *approve { "approve" } else { "reject" }.into()),
                ("count", request_ids.len().to_string()),
            ]),
            Self::SendInvitations { member_ids, .. } => {
                v.push(("count", member_ids.len().to_string()));
            }
            Self::ResendInvitations { invitations } | Self::CancelInvitations { invitations } => {
                v.push(("count", invitations.len().to_string()));
            }
            _ => {}
        }
        v.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

impl Command {
    /// What the command does, in words an admin reads in a list of refused changes.
    pub(crate) fn describe(&self, d: &Directory) -> String {
        let dept = |id: &DepartmentId| match department_name(d, *id) {
            Some((true, _)) => "the root department".to_owned(),
            Some((false, name)) => format!("\"{name}\""),
            None => format!("department {id}"),
        };
        let member = |id: &MemberId| member_name(d, *id).unwrap_or_else(|| format!("member {id}"));
        match self {
            Self::CreateDepartment { parent_id, name } => {
                format!("Create department \"{name}\" under {}", dept(parent_id))
            }
            Self::RenameDepartment {
                department_id,
                name,
            } => format!("Rename {} to \"{name}\"", dept(department_id)),
            Self::MoveDepartment {
                department_id,
                parent_id,
                ..
            } => format!("Move {} under {}", dept(department_id), dept(parent_id)),
            Self::SetDepartmentHead {
                department_id,
                head_id: Some(m),
            } => format!("Make {} the head of {}", member(m), dept(department_id)),
            Self::SetDepartmentHead { department_id, .. } => {
                format!("Clear the head of {}", dept(department_id))
            }
            Self::DeleteDepartment { department_id } => {
                format!("Delete department {}", dept(department_id))
            }
            Self::AddMember { member, .. } => {
                format!("Add member {} ({})", member.name, member.username)
            }
            Self::UpdateMember { member_id, .. } => format!("Edit {}", member(member_id)),
            Self::ChangeStatus { member_id, action } => {
                let mut verb: Vec<char> = action_name(*action).chars().collect();
                if let Some(c) = verb.first_mut() {
                    *c = c.to_ascii_uppercase();
                }
                format!(
                    "{} {}",
                    verb.into_iter().collect::<String>(),
                    member(member_id)
                )
            }
            Self::RemoveMember { member_id, .. } => format!("Remove {}", member(member_id)),
            Self::SetPrimaryDepartment {
                member_id,
                department_id,
            } => format!(
                "Make {} the primary department of {}",
                dept(department_id),
                member(member_id)
            ),
            Self::BatchUpdate { member_ids, .. } => {
                format!("Change {} members at once", member_ids.len())
            }
            Self::UpdateSettings { .. } => "Change the organization's settings".to_owned(),
            Self::RenameOrganization { name } => {
                format!("Rename the organization to \"{name}\"")
            }
            Self::CreateRole { role } => format!("Create role \"{}\"", role.name),
            Self::AddInvitee { invitee } => format!("Add {} to be invited", invitee.name),
            Self::SetPassword { member_id, .. } => {
                format!("Set the password of {}", member(member_id))
            }
            Self::Import(part) => format!(
                "Import {} rows (part {} of {})",
                part.len(),
                part.part,
                part.parts
            ),
            Self::JoinRequest { request, .. } => format!(
                "Record the request of {} ({}) to join",
                request.details.name, request.username
            ),
            Self::MemberEvent { event } => match member_event_words(event) {
                ("registered", username) => format!("Record that {username} joined"),
                ("password", username) => format!("Record the new password of {username}"),
                (_, username) => format!("Record the new details {username} gave"),
            },
            Self::DecideJoin {
                request_ids,
                approve,
                ..
            } => {
                let verb = if *approve { "Approve" } else { "Reject" };
                match d.join_request_name(request_ids) {
                    Some(name) => format!("{verb} the join request of {name}"),
                    None => format!("{verb} {} join requests", request_ids.len()),
                }
            }
            Self::SendInvitations { member_ids, .. } => match member_ids.as_slice() {
                [one] => format!("Invite {}", member(one)),
                many => format!("Invite {} members", many.len()),
            },
            Self::ResendInvitations { invitations } => {
                format!("Resend {} invitations", invitations.len())
            }
            Self::CancelInvitations { invitations } => {
                format!("Cancel {} invitations", invitations.len())
            }
            Self::LinkInvitation { .. } => "Record where the gateway sent an invitation".to_owned(),
            Self::FailInvitation { .. } => {
                "Record that the gateway could not send an invitation".to_owned()
            }
            Self::SetJoiningRules { .. } => "Change the joining rules".to_owned(),
        }
    }
}

/// What a member event did, as the `action` of its wording (`registered`, `password`,
/// `details`), and the username the gateway named (for people reading; the event is applied
/// by its account).
fn member_event_words(event: &Event) -> (&'static str, &str) {
    match &event.kind {
        EventKind::Registered { username, .. } => ("registered", username),
        EventKind::PasswordChanged { username, .. } => ("password", username),
        EventKind::PersonalDetailsChanged { username, .. }
        | EventKind::SignedIn { username, .. } => ("details", username),
        _ => ("details", ""),
    }
}

/// A member action's name as a change's body writes it (`disable`, `resign` …).
pub(super) fn action_name(action: MemberAction) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Why a change was refused, as the code the window translates. The reasons of the log's own
/// rules: `unreadable` (the body), `made_after_logged` (its time), `unknown_author`,
/// `not_allowed` (the author's role); a refusal of the core: its field problem's code
/// (`taken`, `has_members` …), else its own (`conflict`, `not_found`, `forbidden` …).
pub(super) fn refusal_code(e: &CoreError) -> String {
    if let CoreError::Validation { details, .. } = e {
        if let Some(detail) = details.first() {
            return detail.code.clone();
        }
    }
    serde_json::to_value(e.code())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
