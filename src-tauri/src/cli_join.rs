//! `orgdesk join-link` (the public join link and organization code, kept by the gateway) and
//! `orgdesk requests` (the join requests in the directory: list, approve, reject).

use clap::{Args, Subcommand};
use orgdesk_core::audit::Actor;
use orgdesk_core::join::{
    JoinDecision, JoinLinkInput, JoinLinkView, JoinPlacement, JoinRequestFilter, JoinRequestRow,
    JoiningRules, MAX_JOIN_REQUEST_PAGE,
};
use orgdesk_core::team::Command;
use orgdesk_core::types::MemberId;
use orgdesk_core::{CommandError, Directory, ErrorCode};
use serde_json::json;

use crate::cli_output::{to_json, Output};
use crate::cli_sync::{endpoint, GatewayArgs};
use crate::join_link;

#[derive(Debug, Subcommand)]
pub enum JoinLinkCommand {
    /// Show the join link and the organization code, and whether they are on.
    Show(LinkArgs),
    /// Switch the link and code on, or change their rules (keeping the link and code).
    On {
        /// An admin approves each request (without it, people join at once).
        #[arg(long)]
        approval: bool,
        /// Also ask for these fields: email, mobile, employee_id, work_location (comma-separated).
        #[arg(long, value_name = "FIELD,...", value_delimiter = ',')]
        require: Vec<String>,
        #[command(flatten)]
        link: LinkArgs,
    },
    /// Switch the link and code off; they stop working at once.
    Off(LinkArgs),
    /// Replace the link and code; the old ones stop working at once.
    Rotate(LinkArgs),
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(flatten)]
    gateway: GatewayArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List join requests, waiting ones first.
    List {
        /// waiting, rejected or all.
        #[arg(long, value_name = "STATE", default_value = "waiting")]
        state: String,
        /// Only requests whose name, username, email or mobile holds this text (any case).
        #[arg(long, value_name = "TEXT", default_value = "")]
        search: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Approve requests (waiting or rejected): all of them or, if one cannot be, none.
    Approve {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
        /// The department they join, slash-separated from below the root (default: the root).
        #[arg(long, value_name = "PATH")]
        dept: Option<String>,
        /// The role they get (default: Member).
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Reject waiting requests: all of them or, if one cannot be, none.
    Reject {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn link_text(v: &JoinLinkView) -> String {
    if !v.enabled {
        return "Join link and organization code: off".into();
    }
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let fields = if v.required_fields.is_empty() {
        "-".to_owned()
    } else {
        v.required_fields.join(", ")
    };
    format!(
        "Join link and organization code: on\nLink:               {}\nOrganization code:  {}\nCode page:          {}\nApproval:           {}\nAlso asks for:      {fields}",
        dash(&v.link),
        dash(&v.code),
        dash(&v.code_url),
        if v.approval_required {
            "an admin approves each request"
        } else {
            "none (people join at once)"
        },
    )
}

fn link_json(v: &JoinLinkView) -> String {
    json!({
        "enabled": v.enabled,
        "link": v.link,
        "code": v.code,
        "codeUrl": v.code_url,
        "approvalRequired": v.approval_required,
        "requiredFields": v.required_fields,
    })
    .to_string()
}

enum Action {
    Show,
    On(JoinLinkInput),
    Off,
    Rotate,
}

/// `orgdesk join-link …`. Switching the link on records its rules in the directory as an
/// edit by `as_admin` (the first admin when not given): on a computer in a team a `join.rules`
/// change of the log (`cli_edit::edit`), while the gateway hears them from here alone.
pub fn join_link(d: &mut Directory, as_admin: Option<&str>, command: JoinLinkCommand) -> Output {
    let (args, action) = match command {
        JoinLinkCommand::Show(a) => (a, Action::Show),
        JoinLinkCommand::On {
            approval,
            require,
            link,
        } => {
            let input = JoinLinkInput {
                approval_required: approval,
                required_fields: require.iter().map(|f| f.trim().to_owned()).collect(),
            };
            // Refused before the gateway is asked.
            join_link::check_fields(&input)?;
            (link, Action::On(input))
        }
        JoinLinkCommand::Off(a) => (a, Action::Off),
        JoinLinkCommand::Rotate(a) => (a, Action::Rotate),
    };
    // Who records the rules, known before the gateway is asked.
    let actor = match &action {
        Action::On(_) => Some(crate::cli_directory::actor(d, as_admin)?),
        _ => None,
    };
    let gateway = endpoint(d, &args.gateway)?;
    let view = match &action {
        Action::Show => tauri::async_runtime::block_on(join_link::read(&gateway)),
        Action::On(input) => {
            let org = d.organization_name()?;
            tauri::async_runtime::block_on(join_link::switch_on(&gateway, &org, input))
        }
        Action::Off => tauri::async_runtime::block_on(join_link::switch_off(&gateway)),
        Action::Rotate => tauri::async_runtime::block_on(join_link::rotate(&gateway)),
    }?;
    let say = |_: &mut Directory, ()| {
        Ok(if args.json {
            link_json(&view)
        } else {
            link_text(&view)
        })
    };
    match (action, actor) {
        (Action::On(input), Some(actor)) => {
            let rules = JoiningRules::from(input);
            let made = rules.clone();
            crate::cli_edit::edit(
                d,
                &actor,
                move |_| Ok(Command::SetJoiningRules { rules: made }),
                move |d, _| d.record_joining_rules(&rules),
                say,
            )
        }
        _ => say(d, ()),
    }
}

fn row_text(r: &JoinRequestRow) -> String {
    let contact: Vec<&str> = [&r.email, &r.mobile, &r.employee_id, &r.work_location]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    let state = match r.state {
        orgdesk_core::join::JoinRequestState::Pending => "waiting",
        orgdesk_core::join::JoinRequestState::Approved => "approved",
        orgdesk_core::join::JoinRequestState::Rejected => "rejected",
    };
    let mut line = format!("{:>6}  {state:<9} {} ({})", r.id, r.name, r.username);
    if !contact.is_empty() {
        line.push_str(&format!("  {}", contact.join(", ")));
    }
    if let Some(problem) = &r.problem {
        line.push_str(&format!("\n        problem: {problem}"));
    }
    line
}

pub fn requests(d: &mut Directory, as_admin: Option<&str>, command: RequestsCommand) -> Output {
    match command {
        RequestsCommand::List {
            state,
            search,
            json,
        } => {
            let filter = JoinRequestFilter::parse(&state).ok_or_else(|| {
                CommandError::new(
                    ErrorCode::Validation,
                    format!("--state must be waiting, rejected or all, not \"{state}\"."),
                )
            })?;
            let page = d.join_request_page(filter, &search, 0, MAX_JOIN_REQUEST_PAGE)?;
            if json {
                return to_json(&page);
            }
            let mut out = format!("{} join requests", page.total);
            for r in &page.rows {
                out.push('\n');
                out.push_str(&row_text(r));
            }
            Ok(out)
        }
        RequestsCommand::Approve {
            ids,
            dept,
            role,
            json,
        } => {
            let actor = crate::cli_directory::actor(d, as_admin)?;
            let placement = JoinPlacement {
                department_id: dept.map(|p| d.resolve_department_path(&p)).transpose()?,
                role_id: role.map(|r| d.role_by_name(&r)).transpose()?,
            };
            let decision = JoinDecision::Approve(placement);
            // The members as the directory holds them once decided (in a team, once the
            // change is back from the log).
            let say = |d: &mut Directory, _| {
                let members = d.join_request_members(&ids)?;
                let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
                if json {
                    return Ok(json!({ "approved": ids.len(), "memberIds": ids }).to_string());
                }
                Ok(format!(
                    "Approved {} join requests; new member ids: {}.",
                    ids.len(),
                    ids.iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            decide(d, &actor, &ids, decision, say)
        }
        RequestsCommand::Reject { ids, json } => {
            let actor = crate::cli_directory::actor(d, as_admin)?;
            let say = |_: &mut Directory, _| {
                if json {
                    return Ok(json!({ "rejected": ids.len() }).to_string());
                }
                Ok(format!("Rejected {} join requests.", ids.len()))
            };
            decide(d, &actor, &ids, JoinDecision::Reject, say)
        }
    }
}

/// Decides the requests `ids`: directly, or on a computer in a team as a `join.decide` change
/// of the log, sent and read back at once (`cli_edit::edit`); `say` words what was decided.
fn decide(
    d: &mut Directory,
    actor: &Actor,
    ids: &[i64],
    decision: JoinDecision,
    say: impl FnOnce(&mut Directory, Vec<MemberId>) -> Output,
) -> Output {
    crate::cli_edit::edit(
        d,
        actor,
        |d| Command::decide_join(d, ids, decision),
        |d, a| d.decide_join_requests(a, ids, decision),
        say,
    )
}
