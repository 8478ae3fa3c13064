//! What `orgdesk member remove`, `orgdesk dept delete` and `orgdesk member batch-dept` say
//! they moved, and the batch department change itself.

use clap::Args;
use orgdesk_core::audit::Actor;
use orgdesk_core::batch::{BatchChange, DepartmentMode, Selection};
use orgdesk_core::department_deletion::DepartmentDeletion;
use orgdesk_core::members::RemoveOutcome;
use orgdesk_core::{CommandError, Directory};

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
pub fn batch_dept(d: &mut Directory, a: &Actor, x: BatchDeptArgs) -> Result<String, CommandError> {
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
    let out = d.batch_update(
        a,
        &Selection::Ids { ids },
        &BatchChange::SetDepartment {
            department_id,
            title: x.position,
            mode,
        },
    )?;
    if x.json {
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
