//! `orgdesk dept …` and `orgdesk member …`: the directory from the command line, through the
//! same core services as the window.

use std::io::BufRead;

use clap::{Args, Subcommand, ValueEnum};
use orgdesk_core::audit::Actor;
use orgdesk_core::auth::AdminRank;
use orgdesk_core::departments::DepartmentNode;
use orgdesk_core::members::{
    MemberAction, MemberPatch, MemberQuery, NewInvitee, NewMember, PositionInput, StatusFilter,
};
use orgdesk_core::team::Command;
use orgdesk_core::types::{DepartmentId, MemberId};
use orgdesk_core::{CommandError, CoreError, Directory};

use crate::cli_edit::{edit, edit_command};
use crate::cli_output::{to_json, Output};

#[derive(Debug, Subcommand)]
pub enum DeptCommand {
    /// Add a department (its parent must exist).
    Add { path: String },
    /// Rename a department.
    Rename { path: String, new_name: String },
    /// Move a department (and everything below it) under NEW_PARENT ("" or "/" is the root).
    Move { path: String, new_parent: String },
    /// Make MEMBER (id or username; a member of the department) its head, or clear the head
    /// with --none.
    SetHead(crate::cli_handover::SetHeadArgs),
    /// Delete an empty department; resigned members' positions in it move to its parent.
    Delete {
        path: String,
        #[arg(long)]
        json: bool,
    },
    /// Print the tree with member counts.
    Tree {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    All,
    PendingJoin,
    Enabled,
    Disabled,
    Resigned,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a member with a username and password (read from standard input): Enabled.
    Add(AddArgs),
    /// Add someone to be invited (email or mobile, or --link-only): Not Joined.
    InviteAdd(InviteAddArgs),
    /// List members, sorted by name.
    List(ListArgs),
    /// Show one member.
    Show {
        member: String,
        #[arg(long)]
        json: bool,
    },
    /// Edit a member. Name, mobile and email only while they have not joined.
    Edit(EditArgs),
    Disable {
        member: String,
    },
    Enable {
        member: String,
    },
    /// Resign (terminate) a member; their data is kept and they can be restored.
    Resign {
        member: String,
    },
    Restore {
        member: String,
    },
    /// Set a member's password (read from standard input); by default they must choose their
    /// own at the next sign-in.
    SetPassword(crate::cli_passwords::SetPasswordArgs),
    /// Send a member a password reset link by mail (--email) or text (--sms), or print one
    /// to pass on (--link), through the gateway.
    ResetPassword(crate::cli_passwords::ResetPasswordArgs),
    /// Remove a member; one who has joined hands what they own (department headships, open
    /// invitations they sent) to --transfer-to first. Prints what moved.
    Remove {
        member: String,
        #[arg(long, value_name = "ID|USERNAME")]
        transfer_to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Put members in a department: --add it beside their departments (the default) or
    /// --replace all their departments with it.
    BatchDept(crate::cli_handover::BatchDeptArgs),
    /// Make one of a member's departments (by path) their primary department.
    SetPrimary {
        member: String,
        dept: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    username: String,
    /// Read the password from the first line of standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Departments, ";"-separated; the first is the primary department.
    #[arg(long, value_name = "PATH[;PATH]")]
    dept: String,
    /// Position title in the primary department.
    #[arg(long)]
    position: Option<String>,
    /// Roles by name, ";"-separated (default: Member).
    #[arg(long, value_name = "ROLE[;ROLE]")]
    role: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    mobile: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct InviteAddArgs {
    #[arg(long)]
    name: String,
    #[arg(long, required_unless_present_any = ["mobile", "link_only"])]
    email: Option<String>,
    #[arg(long)]
    mobile: Option<String>,
    /// They will be invited by a link to pass on (`orgdesk invite … --link`): no email or
    /// mobile needed.
    #[arg(long)]
    link_only: bool,
    #[arg(long, value_name = "PATH")]
    dept: String,
    #[arg(long)]
    position: Option<String>,
    /// Their roles once joined, ";"-separated.
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    search: Option<String>,
    #[arg(long, value_enum, default_value = "all")]
    status: StatusArg,
    #[arg(long, value_name = "PATH")]
    dept: Option<String>,
    /// With --dept: include sub-departments.
    #[arg(long)]
    subtree: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    member: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    mobile: Option<String>,
    #[arg(long)]
    employee_id: Option<String>,
    #[arg(long)]
    work_location: Option<String>,
    #[arg(long)]
    org_email: Option<String>,
    /// Replace the departments, ";"-separated; the first is primary.
    #[arg(long, value_name = "PATH[;PATH]")]
    dept: Option<String>,
    /// Position title in the primary department (with --dept).
    #[arg(long)]
    position: Option<String>,
    /// Replace the roles, ";"-separated.
    #[arg(long, value_name = "ROLE[;ROLE]")]
    role: Option<String>,
}

/// The admin a change made from the command line is recorded under: the one `--as` names,
/// else the initial admin; refused unless an enabled Super Admin or Admin.
pub(crate) fn actor(d: &Directory, as_admin: Option<&str>) -> Result<Actor, CommandError> {
    ranked_actor(d, as_admin, AdminRank::Admin)
}

/// [`actor`], refused unless of at least the rank `needed`.
pub(crate) fn ranked_actor(
    d: &Directory,
    as_admin: Option<&str>,
    needed: AdminRank,
) -> Result<Actor, CommandError> {
    let id = match as_admin {
        Some(u) => d.find_member(u)?,
        None => d.initial_admin_id()?,
    };
    Ok(d.admin_actor(id, needed)?)
}

fn split(list: &str) -> Vec<&str> {
    list.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn positions(
    d: &Directory,
    depts: &str,
    title: Option<String>,
) -> Result<Vec<PositionInput>, CommandError> {
    let mut out = Vec::new();
    for (i, p) in split(depts).into_iter().enumerate() {
        out.push(PositionInput {
            department_id: d.resolve_department_path(p)?,
            title: if i == 0 { title.clone() } else { None },
        });
    }
    Ok(out)
}

fn roles(d: &Directory, list: &str) -> Result<Vec<orgdesk_core::types::RoleId>, CommandError> {
    split(list)
        .into_iter()
        .map(|r| d.role_by_name(r).map_err(CommandError::from))
        .collect()
}

fn split_path(path: &str) -> (String, String) {
    let p = path.trim().trim_matches('/');
    match p.rsplit_once('/') {
        Some((parent, name)) => (parent.to_owned(), name.to_owned()),
        None => (String::new(), p.to_owned()),
    }
}

pub(crate) fn read_password() -> Result<String, CommandError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CoreError::Internal(format!("Standard input could not be read: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn print_tree(n: &DepartmentNode, depth: usize, out: &mut String) {
    out.push_str(&format!(
        "{}{}  ({} direct, {} total)\n",
        "  ".repeat(depth),
        n.name,
        n.direct_members,
        n.total_members
    ));
    for c in &n.children {
        print_tree(c, depth + 1, out);
    }
}

pub fn dept(d: &mut Directory, as_admin: Option<&str>, c: DeptCommand) -> Output {
    if let DeptCommand::Tree { json } = c {
        let tree = d.department_tree()?;
        if json {
            return to_json(&tree);
        }
        let mut out = String::new();
        print_tree(&tree, 0, &mut out);
        return Ok(out.trim_end().to_owned());
    }
    let a = actor(d, as_admin)?;
    match c {
        DeptCommand::Add { path } => {
            let (parent, name) = split_path(&path);
            let parent_id = d.resolve_department_path(&parent)?;
            let create = Command::CreateDepartment {
                parent_id,
                name: name.clone(),
            };
            edit(
                d,
                &a,
                |_| Ok(create),
                |d, a| d.create_department(a, parent_id, &name).map(drop),
                |d, ()| {
                    let id = d.resolve_department_path(&path)?;
                    Ok(format!(
                        "Added department {} (id {id}).",
                        d.department_path(id)?
                    ))
                },
            )
        }
        DeptCommand::Rename { path, new_name } => {
            let id = d.resolve_department_path(&path)?;
            let rename = Command::RenameDepartment {
                department_id: id,
                name: new_name,
            };
            edit_command(d, &a, rename, |d| {
                Ok(format!("Renamed to {}.", d.department_path(id)?))
            })
        }
        DeptCommand::Move { path, new_parent } => {
            let id = d.resolve_department_path(&path)?;
            let parent = d.resolve_department_path(&new_parent)?;
            let moved = Command::MoveDepartment {
                department_id: id,
                parent_id: parent,
                index: None,
            };
            edit_command(d, &a, moved, |d| {
                Ok(format!("Moved to {}.", d.department_path(id)?))
            })
        }
        DeptCommand::SetHead(x) => crate::cli_handover::set_head(d, &a, x),
        DeptCommand::Delete { path, json } => {
            let id = d.resolve_department_path(&path)?;
            let full = d.department_path(id)?;
            edit(
                d,
                &a,
                |_| Ok(Command::DeleteDepartment { department_id: id }),
                |d, a| d.delete_department(a, id),
                |_, out| Ok(crate::cli_handover::dept_deleted(&full, &out, json)),
            )
        }
        DeptCommand::Tree { .. } => unreachable!("handled above"),
    }
}

pub fn member(mut dir: Directory, as_admin: Option<&str>, c: MemberCommand) -> Output {
    let d = &mut dir;
    match c {
        MemberCommand::SetPassword(a) => {
            let actor = actor(d, as_admin)?;
            crate::cli_passwords::set_password(d, &actor, read_password()?, a)
        }
        MemberCommand::ResetPassword(a) => {
            let actor = actor(&dir, as_admin)?;
            crate::cli_passwords::reset_password(dir, &actor, a)
        }
        MemberCommand::List(l) => {
            let department_id: Option<DepartmentId> = l
                .dept
                .as_deref()
                .map(|p| d.resolve_department_path(p))
                .transpose()?;
            let page = d.list_members(&MemberQuery {
                department_id,
                include_sub_departments: l.subtree || department_id.is_none(),
                status: match l.status {
                    StatusArg::All => StatusFilter::All,
                    StatusArg::PendingJoin => StatusFilter::PendingJoin,
                    StatusArg::Enabled => StatusFilter::Enabled,
                    StatusArg::Disabled => StatusFilter::Disabled,
                    StatusArg::Resigned => StatusFilter::Resigned,
                },
                search: l.search,
                offset: 0,
                limit: l.limit.max(1),
            })?;
            if l.json {
                return to_json(&page);
            }
            let mut out = format!(
                "{:<6} {:<24} {:<16} {:<20} {:<12} {}\n",
                "ID", "NAME", "USERNAME", "DEPARTMENT", "STATUS", "EMPLOYEE ID"
            );
            for r in &page.rows {
                out.push_str(&format!(
                    "{:<6} {:<24} {:<16} {:<20} {:<12} {}\n",
                    r.id.0,
                    r.name,
                    r.username.as_deref().unwrap_or("-"),
                    r.primary_department.as_deref().unwrap_or("-"),
                    r.status.as_str(),
                    r.employee_id.as_deref().unwrap_or("-")
                ));
            }
            out.push_str(&format!("{} of {} shown", page.rows.len(), page.total));
            Ok(out)
        }
        MemberCommand::Show { member, json } => {
            let id = d.find_member(&member)?;
            let m = d.member_details(id)?;
            if json {
                return to_json(&m);
            }
            Ok(crate::cli_handover::member_text(&m))
        }
        other => {
            let a = actor(d, as_admin)?;
            member_change(d, &a, other)
        }
    }
}

/// What `member add` and `member invite-add` print: the new member's id as JSON, or `text`.
fn added(id: MemberId, json: bool, text: String) -> String {
    if json {
        serde_json::json!({"id": id}).to_string()
    } else {
        text
    }
}

fn member_change(d: &mut Directory, a: &Actor, c: MemberCommand) -> Output {
    let status = |d: &mut Directory, who: &str, action: MemberAction| -> Output {
        let id = d.find_member(who)?;
        edit(
            d,
            a,
            |_| {
                Ok(Command::ChangeStatus {
                    member_id: id,
                    action,
                })
            },
            |d, a| d.change_status(a, id, action),
            |d, s| {
                let name = d.member_details(id)?.name;
                Ok(format!("{name} is now {}.", s.as_str()))
            },
        )
    };
    match c {
        MemberCommand::Add(x) => {
            let password = read_password()?;
            let positions = positions(d, &x.dept, x.position)?;
            let role_ids = x
                .role
                .as_deref()
                .map(|r| roles(d, r))
                .transpose()?
                .unwrap_or_default();
            let new = NewMember {
                name: x.name,
                positions,
                role_ids,
                username: x.username,
                password,
                email: x.email,
                mobile: x.mobile,
            };
            edit(
                d,
                a,
                |_| Command::add_member(new.clone()),
                |d, a| d.add_member(a, &new).map(drop),
                // Its id is the one the directory gave it, read once the change is back.
                |d, ()| {
                    let id = d.find_member(&new.username)?;
                    Ok(added(id, x.json, format!("Added member {id}.")))
                },
            )
        }
        MemberCommand::InviteAdd(x) => {
            let department_id = d.resolve_department_path(&x.dept)?;
            let role_ids = x.role.as_deref().map(|r| roles(d, r)).transpose()?;
            let new = NewInvitee {
                name: x.name,
                email: x.email,
                mobile: x.mobile,
                department_id,
                position: x.position,
                role_ids: role_ids.unwrap_or_default(),
                link_only: x.link_only,
            };
            edit(
                d,
                a,
                |_| {
                    Ok(Command::AddInvitee {
                        invitee: new.clone(),
                    })
                },
                |d, a| d.add_invitee(a, &new).map(drop),
                // Its id is the one the directory gave it, read once the change is back.
                |d, ()| {
                    let id = d.find_invitee(&new)?;
                    Ok(added(
                        id,
                        x.json,
                        format!("Added {id} for invitation (Not Joined)."),
                    ))
                },
            )
        }
        MemberCommand::Edit(x) => {
            let id = d.find_member(&x.member)?;
            let positions = x
                .dept
                .as_deref()
                .map(|p| positions(d, p, x.position.clone()))
                .transpose()?;
            let role_ids = x.role.as_deref().map(|r| roles(d, r)).transpose()?;
            let patch = MemberPatch {
                name: x.name,
                email: x.email,
                mobile: x.mobile,
                employee_id: x.employee_id,
                work_location: x.work_location,
                org_email: x.org_email,
                positions,
                role_ids,
            };
            let update = Command::UpdateMember {
                member_id: id,
                patch: patch.clone(),
            };
            edit(
                d,
                a,
                |_| Ok(update),
                |d, a| d.update_member(a, id, &patch),
                |_, out| {
                    Ok(if out.must_sign_in_again {
                        "Saved. The member must sign in again for the new roles or departments \
                         to apply."
                            .into()
                    } else {
                        "Saved.".into()
                    })
                },
            )
        }
        MemberCommand::Disable { member } => status(d, &member, MemberAction::Disable),
        MemberCommand::Enable { member } => status(d, &member, MemberAction::Enable),
        MemberCommand::Resign { member } => status(d, &member, MemberAction::Resign),
        MemberCommand::Restore { member } => status(d, &member, MemberAction::Restore),
        MemberCommand::Remove {
            member,
            transfer_to,
            json,
        } => {
            let id = d.find_member(&member)?;
            let name = d.member_details(id)?.name;
            let to = transfer_to
                .as_deref()
                .map(|t| d.find_member(t))
                .transpose()?;
            let remove = Command::RemoveMember {
                member_id: id,
                transfer_to: to,
            };
            edit(
                d,
                a,
                |_| Ok(remove),
                |d, a| d.remove_member(a, id, to),
                |_, out| Ok(crate::cli_handover::removed(&name, &out, json)),
            )
        }
        MemberCommand::BatchDept(x) => crate::cli_handover::batch_dept(d, a, x),
        MemberCommand::SetPrimary { member, dept } => {
            crate::cli_handover::set_primary(d, a, &member, &dept)
        }
        MemberCommand::List(_)
        | MemberCommand::Show { .. }
        | MemberCommand::SetPassword(_)
        | MemberCommand::ResetPassword(_) => {
            unreachable!("handled by member()")
        }
    }
}
