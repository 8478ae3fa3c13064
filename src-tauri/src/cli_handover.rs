//! What `orgdesk member remove`, `orgdesk dept delete` and `orgdesk member batch-dept` say
//! they moved, the batch department change itself, who heads a department
//! (`orgdesk dept set-head`) and which is a member's primary department
//! (`orgdesk member set-primary`), and what `orgdesk member show` prints.

use crate::cli_output::Output;
use clap::Args;
use orgdesk_core::audit::Actor;
use orgdesk_core::batch::{BatchChange, BatchOutcome, DepartmentMode, Selection};
use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::members::{MemberDetails, RemoveOutcome};
use orgdesk_core::team::Command;
use orgdesk_core::types::DepartmentId;
use orgdesk_core::Directory;

#[derive(Debug, Args)]
pub struct BatchDeptArgs {
    /// The department, by path.
    #[arg(value_name = "PATH")]
    dept: String,
    /// The members, by id or username, ";"-separated.
    #[arg(long, value_name = "MEMBER[;MEMBER]")]
    members: String,
    /// Add the department beside each member's departments (their primary stays). The default.
    #[arg(long, conflicts_with = "replace")]
    add: bool,
    /// Replace all of each member's departments with this one (it becomes their primary).
    #[arg(long)]
    replace: bool,
    /// Position title in that department (with --replace, else the primary title is kept).
    #[arg(long)]
    position: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SetHeadArgs {
    /// The department, by path.
    #[arg(value_name = "PATH")]
    dept: String,
    /// The new head, by id or username: a member of the department.
    #[arg(value_name = "MEMBER", required_unless_present = "none")]
    member: Option<String>,
    /// Leave the department without a head.
    #[arg(long, conflicts_with = "member")]
    none: bool,
}

/// `dept set-head`: the department's head, or none; through the team's log in a team, as the
/// window's "Set department head".
pub fn set_head(d: &mut Directory, a: &Actor, x: SetHeadArgs) -> Output {
    let department_id = d.resolve_department_path(&x.dept)?;
    let head_id = x.member.as_deref().map(|m| d.find_member(m)).transpose()?;
    let change = Command::SetDepartmentHead {
        department_id,
        head_id,
    };
    crate::cli_edit::edit_command(d, a, change, |d| {
        let department = d.department_details(department_id)?;
        let path = match d.department_path(department_id)? {
            p if p.is_empty() => department.name,
            p => p,
        };
        Ok(match department.head {
            Some(head) => format!("{} now heads {path}.", head.name),
            None => format!("{path} has no head now."),
        })
    })
}

/// `member set-primary`: one of the member's departments becomes their primary.
pub fn set_primary(d: &mut Directory, a: &Actor, member: &str, dept: &str) -> Output {
    let member_id = d.find_member(member)?;
    let department_id = d.resolve_department_path(dept)?;
    let change = Command::SetPrimaryDepartment {
        member_id,
        department_id,
    };
    crate::cli_edit::edit_command(d, a, change, |d| {
        let name = d.member_details(member_id)?.name;
        let path = d.department_path(department_id)?;
        Ok(format!("{path} is now {name}'s primary department."))
    })
}

/// What `member show` prints for `m`.
pub fn member_text(m: &MemberDetails) -> String {
    let positions = m
        .positions
        .iter()
        .map(|p| {
            format!(
                "{}{}{}",
                if p.department_path.is_empty() {
                    p.department_name.clone()
                } else {
                    p.department_path.clone()
                },
                p.title
                    .as_deref()
                    .map(|t| format!(" — {t}"))
                    .unwrap_or_default(),
                if p.is_primary { " (primary)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "Name:         {}\nUsername:     {}\nStatus:       {}\nEmail:        {}\nMobile:       {}\nEmployee ID:  {}\nPositions:    {}\nRoles:        {}",
        m.name,
        m.username.as_deref().unwrap_or("-"),
        m.status.as_str(),
        m.email.as_deref().unwrap_or("-"),
        m.mobile.as_deref().unwrap_or("-"),
        m.employee_id.as_deref().unwrap_or("-"),
        positions,
        m.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
    )
}

/// The line `member remove` prints, or its JSON.
pub fn removed(name: &str, out: &RemoveOutcome, json: bool) -> String {
    if json {
        return serde_json::to_string(out).unwrap_or_default();
    }
    let Some(to) = &out.transferred_to else {
        return format!("Removed {name}.");
    };
    let heads = if out.departments_headed.is_empty() {
        "no department headships".to_owned()
    } else {
        format!("the headship of {}", out.departments_headed.join(", "))
    };
    format!(
        "Removed {name}. Moved to {}: {heads}; {} open invitation{} they sent.",
        to.name,
        out.invitations_sent,
        if out.invitations_sent == 1 { "" } else { "s" }
    )
}

/// The line `dept delete` prints, or its JSON.
pub fn dept_deleted(full: &str, out: &DepartmentDeletion, json: bool) -> String {
    if json {
        return serde_json::to_string(out).unwrap_or_default();
    }
    if out.resigned_moved.is_empty() {
        return format!("Deleted department {full}.");
    }
    let n = out.resigned_moved.len();
    format!(
        "Deleted department {full}. The position{} of {n} resigned member{} ({}) moved to {}.",
        if n == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" },
        out.resigned_moved
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if out.parent_path.is_empty() {
            &out.parent_name
        } else {
            &out.parent_path
        }
    )
}

/// `member batch-dept`: adds the department to the members' departments, or replaces them.
pub fn batch_dept(d: &mut Directory, a: &Actor, x: BatchDeptArgs) -> Output {
    let department_id = d.resolve_department_path(&x.dept)?;
    let ids = x
        .members
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|m| d.find_member(m))
        .collect::<Result<Vec<_>, _>>()?;
    let mode = if x.replace {
        DepartmentMode::Replace
    } else {
        DepartmentMode::Add
    };
    let change = BatchChange::SetDepartment {
        department_id,
        title: x.position,
        mode,
    };
    let batch = Command::BatchUpdate {
        member_ids: ids.clone(),
        change: change.clone(),
    };
    let selection = Selection::Ids { ids };
    crate::cli_edit::edit(
        d,
        a,
        |_| Ok(batch),
        |d, a| d.batch_update(a, &selection, &change),
        |d, out| batch_done(d, department_id, mode, &out, x.json),
    )
}

/// What `member batch-dept` prints once the change is made.
fn batch_done(
    d: &Directory,
    department_id: DepartmentId,
    mode: DepartmentMode,
    out: &BatchOutcome,
    json: bool,
) -> Output {
    if json {
        return Ok(serde_json::json!({
            "mode": mode,
            "changed": out.changed,
            "unchanged": out.unchanged,
            "skipped": out.skipped,
        })
        .to_string());
    }
    let path = match d.department_path(department_id)? {
        p if p.is_empty() => d.department_details(department_id)?.name,
        p => p,
    };
    let n = out.changed;
    let mut text = match mode {
        DepartmentMode::Add => format!(
            "Added {path} to the departments of {n} member{}.",
            if n == 1 { "" } else { "s" }
        ),
        DepartmentMode::Replace => format!(
            "Replaced the departments of {n} member{} with {path}.",
            if n == 1 { "" } else { "s" }
        ),
    };
    if out.unchanged > 0 {
        text.push_str(&format!(" {} already as asked.", out.unchanged));
    }
    for s in &out.skipped {
        text.push_str(&format!("\nNot changed: {}: {}", s.name, s.reason));
    }
    Ok(text)
}
