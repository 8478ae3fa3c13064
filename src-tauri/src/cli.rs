//! The command-line face of the `orgdesk` binary. Every subcommand calls the same core
//! services as the window. Exit codes: 0 done, 1 refused or failed (the reason on stderr),
//! 2 usage error.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use orgdesk_core::organization::SetupInput;
use orgdesk_core::roles::NewRole;
use orgdesk_core::{CommandError, CoreError, Directory};

use crate::cli_output::{to_json, Output};
use crate::cli_roles::RoleCommand;

#[derive(Debug, Parser)]
#[command(
    name = "orgdesk",
    version,
    about = "Orgdesk: your organization's departments, members and invitations.",
    long_about = "Orgdesk: your organization's departments, members and invitations.\n\n\
                  With no command, opens the Orgdesk window. With a command, works on the same \
                  directory from the command line."
)]
pub struct Cli {
    /// The directory database to use (default: $ORGDESK_DB, else orgdesk.db in the app-data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// The admin (username) recorded as the actor of changes (default: the initial admin).
    #[arg(long = "as", global = true, value_name = "USERNAME")]
    pub as_admin: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The organization: set it up, show it, rename it.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Departments: add, rename, move, delete, show the tree. PATH is slash-separated from
    /// below the root, e.g. "Sales/EMEA".
    #[command(subcommand)]
    Dept(crate::cli_directory::DeptCommand),
    /// Members: add, add for invitation, list, show, edit, change status, remove, batch department.
    #[command(subcommand)]
    Member(crate::cli_directory::MemberCommand),
    /// Roles: list them, add one of the organization's own.
    #[command(subcommand)]
    Role(RoleCommand),
    /// Save the import template (.xlsx) with dropdowns from the current organization.
    Template(crate::cli_spreadsheet::TemplateArgs),
    /// Import members from .xlsx, .xls, .ods or .csv. Exit code 0: every row succeeded;
    /// 3: some rows failed (the others were imported); 1: the file was refused.
    #[command(
        long_about = "Import members from .xlsx, .xls, .ods or .csv. Exit code 0: every \
        row succeeded; 3: some rows failed (the others were imported); 1: the file was refused.\n\n\
        Columns are found by their names (the template's, in English or Chinese). A Google \
        Workspace or Microsoft 365 users export is mapped as the window suggests (First Name + \
        Last Name or Display name to Name, Org Unit Path to Department, Mobile Phone, Job Title \
        …). Any other file: map its columns once in the window's Import, save the mapping under \
        a name, and give that name with --mapping NAME; a saved mapping is used only when named.\n\n\
        A mobile number stored as a number that lost its \"+\" (447946000000) is read with the \
        \"+\" put back when that makes a valid number, and the row says so; numbers without a \
        country code are read in the default region (orgdesk settings set default-region).\n\n\
        On a computer in a team the import goes through the team's change log, in parts of \
        whole rows that each fit one change (passwords as their hashes only); its members are \
        written once the parts are back from the log, on every computer alike."
    )]
    Import(crate::cli_spreadsheet::ImportArgs),
    /// Export members to .xlsx or .csv.
    Export(crate::cli_spreadsheet::ExportArgs),
    /// Settings: show them, or set default-region, import-quota, invitation-language or
    /// notifications.
    #[command(subcommand)]
    Settings(crate::cli_settings::SettingsCommand),
    /// Which gateway the directory uses (as in the window's Settings): show it, use a remote
    /// one (its token checked, then kept in the system keyring), or the built-in one.
    #[command(subcommand)]
    Gateway(crate::cli_gateway::GatewayCommand),
    /// Send what the directory has queued for the gateway and apply the gateway's events, as
    /// the open window does, then exit.
    Sync(crate::cli_sync::SyncArgs),
    /// The public join link and organization code (on the gateway): show, on, off, rotate.
    /// They need a gateway this command can reach: --gateway URL --token-stdin, or the remote
    /// gateway chosen in Settings (the built-in one runs only inside the window).
    #[command(subcommand)]
    JoinLink(crate::cli_join::JoinLinkCommand),
    /// Join requests: list (waiting, rejected or all; search), approve (into a department and
    /// role), reject. Many at once are all or nothing.
    #[command(subcommand)]
    Requests(crate::cli_join::RequestsCommand),
    /// Invite a Not Joined member by mail, text message or a link to pass on (printed), in
    /// English or Chinese. With a gateway this command can reach (--gateway URL --token-stdin,
    /// or the remote one chosen in Settings) it is handed over at once; otherwise it is queued
    /// for `orgdesk sync` or the open window (a link needs the gateway).
    Invite(crate::cli_invitations::InviteArgs),
    /// Invitations: list (by state; search), resend, cancel.
    #[command(subcommand)]
    Invitations(crate::cli_invitations::InvitationsCommand),
    /// The directory as a whole: its checksum.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Team mode: this computer's device credential, enrolling other admins' computers, and
    /// joining a team from a new computer.
    #[command(subcommand)]
    Team(crate::cli_team::TeamCommand),
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// A digest (SHA-256) of the directory's content: the organization, departments, members
    /// and positions, roles and their holders, removed members and the organization-wide
    /// settings; not this computer's own state (sign-ins, the gateway link, history). Two
    /// directories with the same content print the same digest.
    Checksum {
        /// Print JSON instead of text (the digest and each part's row count).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Set up the organization in an empty database, with its root department and initial admin.
    Init(OrgInit),
    /// Show the organization's name and member counts (the join code: `join-link show`).
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rename the organization (and its root department): the initial admin's alone.
    Rename {
        /// The new name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct OrgInit {
    /// The organization's name (also the root department's name).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// The initial admin's username.
    #[arg(long, value_name = "USERNAME")]
    admin: String,
    /// The initial admin's display name (default: the username).
    #[arg(long, value_name = "NAME")]
    admin_name: Option<String>,
    /// Read the initial admin's password from the first line of standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn parse() -> Cli {
    Cli::parse()
}

/// Runs one subcommand; returns the exit code.
pub fn run(command: Command, db_path: &Path, as_admin: Option<&str>) -> i32 {
    let result = match command {
        Command::Org(OrgCommand::Init(args)) => org_init(args, db_path),
        Command::Org(OrgCommand::Show { json }) => org_show(json, db_path),
        Command::Org(OrgCommand::Rename { name }) => open_existing(db_path)
            .and_then(|mut d| crate::cli_roles::org_rename(&mut d, as_admin, name)),
        Command::Role(RoleCommand::List { json }) => {
            open_existing(db_path).and_then(|d| crate::cli_roles::list(&d, json))
        }
        Command::Role(RoleCommand::Add { name, description }) => {
            let new = NewRole { name, description };
            open_existing(db_path).and_then(|mut d| crate::cli_roles::add(&mut d, as_admin, new))
        }
        Command::Directory(DirectoryCommand::Checksum { json }) => {
            open_existing(db_path).and_then(|d| checksum(&d, json))
        }
        Command::Dept(c) => {
            open(db_path).and_then(|mut d| crate::cli_directory::dept(&mut d, as_admin, c))
        }
        Command::Member(c) => {
            open(db_path).and_then(|d| crate::cli_directory::member(d, as_admin, c))
        }
        Command::Template(a) => {
            open_existing(db_path).and_then(|d| crate::cli_spreadsheet::template(&d, a))
        }
        Command::Export(a) => {
            open_existing(db_path).and_then(|d| crate::cli_spreadsheet::export(&d, a))
        }
        Command::Settings(c) => open_existing(db_path)
            .and_then(|mut d| crate::cli_settings::settings(&mut d, as_admin, c)),
        Command::Gateway(c) => {
            open_existing(db_path).and_then(|mut d| crate::cli_gateway::gateway(&mut d, c))
        }
        Command::Sync(a) => open_existing(db_path).and_then(|d| crate::cli_sync::sync(d, a)),
        Command::Team(c) => crate::cli_team::team(c, db_path, as_admin, open_existing),
        Command::JoinLink(c) => {
            open_existing(db_path).and_then(|mut d| crate::cli_join::join_link(&mut d, as_admin, c))
        }
        Command::Requests(c) => {
            open_existing(db_path).and_then(|mut d| crate::cli_join::requests(&mut d, as_admin, c))
        }
        Command::Invite(a) => {
            open_existing(db_path).and_then(|d| crate::cli_invitations::invite(d, as_admin, a))
        }
        Command::Invitations(c) => open_existing(db_path)
            .and_then(|mut d| crate::cli_invitations::invitations(&mut d, as_admin, c)),
        Command::Import(a) => {
            // Its own exit codes: 3 when some rows failed.
            return match open_existing(db_path) {
                Ok(mut d) => {
                    let (code, out) = crate::cli_spreadsheet::import(&mut d, as_admin, a);
                    if code == 1 {
                        eprintln!("{out}");
                    } else {
                        println!("{out}");
                    }
                    code
                }
                Err(e) => {
                    eprintln!("orgdesk: {}", e.message);
                    1
                }
            };
        }
    };
    finish(result)
}

/// Prints what a command answered (on stdout) or why it failed (on stderr); the exit code.
fn finish(result: Output) -> i32 {
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{out}");
            0
        }
        Err(e) => {
            eprintln!("orgdesk: {}", e.message);
            for d in &e.details {
                match &d.field {
                    Some(f) => eprintln!("  {f}: {}", d.reason),
                    None => eprintln!("  {}", d.reason),
                }
            }
            1
        }
    }
}

pub(crate) fn open(db_path: &Path) -> Result<Directory, CommandError> {
    Directory::open(db_path).map_err(CommandError::from)
}

/// Opens a database that must already exist: only `org init` creates one.
pub(crate) fn open_existing(db_path: &Path) -> Result<Directory, CommandError> {
    if !db_path.exists() {
        return Err(CommandError::new(
            orgdesk_core::ErrorCode::NotInitialized,
            format!(
                "There is no Orgdesk database at {}. Set up the organization first with `orgdesk org init`.",
                db_path.display()
            ),
        ));
    }
    open(db_path)
}

fn org_init(args: OrgInit, db_path: &Path) -> Output {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| CoreError::Internal(format!("Standard input could not be read: {e}")))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let mut dir = open(db_path)?;
    let input = SetupInput {
        organization_name: args.name,
        admin_name: args.admin_name.unwrap_or_else(|| args.admin.clone()),
        username: args.admin.clone(),
        password: password.clone(),
        password_confirm: password,
    };
    let out = dir.setup_organization(&input)?;
    let name = dir.organization_name()?;
    if args.json {
        Ok(serde_json::json!({
            "name": name,
            "rootDepartmentId": out.root_department_id,
            "adminId": out.admin_id,
            "database": db_path.display().to_string(),
        })
        .to_string())
    } else {
        Ok(format!(
            "Created organization {name}.\nSign in as {} in the Orgdesk window.\nDatabase: {}",
            args.admin.trim(),
            db_path.display()
        ))
    }
}

fn checksum(d: &orgdesk_core::Directory, json: bool) -> Output {
    let sum = d.directory_checksum()?;
    if json {
        return to_json(&sum);
    }
    let parts: Vec<String> = sum
        .parts
        .iter()
        .map(|p| format!("{} {}", p.part, p.rows))
        .collect();
    Ok(format!("{}\n({})", sum.digest, parts.join(", ")))
}

fn org_show(json: bool, db_path: &Path) -> Output {
    let dir = open_existing(db_path)?;
    let admin = dir.initial_admin_id()?;
    let ov = dir.overview(admin)?;
    if json {
        let mut v = serde_json::to_value(&ov)
            .map_err(|e| CoreError::Internal(format!("The overview could not be encoded: {e}")))?;
        if let Some(o) = v.as_object_mut() {
            // Whether someone may rename depends on who is signed in; not a fact of the organization.
            o.remove("canRename");
        }
        return Ok(v.to_string());
    }
    let c = &ov.counts;
    Ok(format!(
        "Organization:       {}\nInitial admin:      {} ({})\nDepartments:        {}\nMembers:            {} (enabled {}, not joined {}, pending approval {}, disabled {}, resigned {})",
        ov.name,
        ov.initial_admin.name,
        ov.initial_admin.username.as_deref().unwrap_or("-"),
        ov.department_count,
        c.total,
        c.enabled,
        c.not_joined,
        c.pending_approval,
        c.disabled,
        c.resigned
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
