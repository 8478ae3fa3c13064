//! `orgdesk role list|add` and `orgdesk org rename`: the roles and the organization's name,
//! edited as in the window (on a computer in a team, through the change log).

use clap::Subcommand;
use orgdesk_core::auth::AdminRank;
use orgdesk_core::roles::NewRole;
use orgdesk_core::team::Command;
use orgdesk_core::Directory;

use crate::cli_directory::{actor, ranked_actor};
use crate::cli_edit::edit;
use crate::cli_output::Output;

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List the roles: the built-in ones first, with how many members hold each.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add a role of the organization's own.
    Add {
        /// Its name, unique in the organization (case does not count).
        name: String,
        /// What it is for (at most 200 characters).
        #[arg(long, default_value = "")]
        description: String,
    },
}

/// `role list`: one role a line (id, name, holders), or JSON.
pub fn list(d: &Directory, json: bool) -> Output {
    let roles = d.roles()?;
    if json {
        return crate::cli_output::to_json(&roles);
    }
    Ok(roles
        .iter()
        .map(|r| format!("{}\t{}\t{} members", r.id, r.name, r.members))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// `role add`: through the change log on a computer in a team.
pub fn add(d: &mut Directory, as_admin: Option<&str>, new: NewRole) -> Output {
    let a = actor(d, as_admin)?;
    edit(
        d,
        &a,
        |_| Ok(Command::CreateRole { role: new.clone() }),
        |d, a| d.create_role(a, &new).map(drop),
        // Its id is the one the directory gave it, read once the change is back.
        |d, ()| {
            let id = d.role_by_name(&new.name)?;
            Ok(format!("Added role {} (id {id}).", new.name.trim()))
        },
    )
}

/// Renames the organization (and its root department): the initial admin's alone.
pub fn org_rename(d: &mut Directory, as_admin: Option<&str>, name: String) -> Output {
    let a = ranked_actor(d, as_admin, AdminRank::SuperAdmin)?;
    edit(
        d,
        &a,
        |_| Ok(Command::RenameOrganization { name: name.clone() }),
        |d, a| d.rename_organization(a, &name),
        |d, ()| {
            Ok(format!(
                "Renamed the organization to {}.",
                d.organization_name()?
            ))
        },
    )
}
