//! The commands the window may call, one file per UI area. Each parses, calls the core and
//! maps the error; nothing else happens here.

use std::ops::Deref;
use std::sync::Arc;

use orgdesk_core::auth::{AdminRank, Session};
use orgdesk_core::{CommandError, ErrorCode};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::Manager;

use crate::gateway_link::GatewayLink;
use crate::state::AppState;

/// Defines the commands that are one call on the directory, one entry a command:
///
/// ```text
/// /// Its doc comment.
/// read member_details(id: MemberId) -> MemberDetails = |d| d.member_details(id);
/// act rename_department(id: DepartmentId, name: String) -> () =
///     |d, a| d.rename_department(a, id, &name);
/// logged create_department(parent_id: DepartmentId, name: String) -> DepartmentId =
///     |d, a| d.create_department(a, parent_id, &name),
///     as |_| Ok(Command::CreateDepartment { parent_id, name }),
///     then |d, _| d.child_department(parent_id, &name)…;
/// ```
///
/// `read` runs a read for the signed-in admin ([`AppState::read`]), `act` a change recorded
/// under the admin `a` ([`AppState::act`]), and `logged` an edit of the directory that on a
/// computer in a team goes through the change log as `command` ([`GatewayLink::logged`], which
/// then wakes the sender for what the edit queued for the gateway; `then`, if given, reads from
/// the directory once the change is back what its try cannot know). Each entry becomes an async
/// `#[tauri::command]` that takes the directory (`logged`: through the link's log) and the
/// arguments named, and answers the call's value; the module that has the entries imports
/// [`Answer`] and [`Dir`]. These commands are listed in src-tauri/commands.txt like
/// any other, and its check reads the entries.
macro_rules! directory_commands {
    () => {};
    ($(#[$doc:meta])* logged $name:ident($($arg:ident: $ty:ty),*) -> $out:ty =
        |$d:ident, $a:ident| $call:expr, as |$cd:pat_param| $command:expr,
        then |$td:pat_param, $t:pat_param| $then:expr; $($rest:tt)*) => {
        $(#[$doc])*
        #[tauri::command]
        pub async fn $name(state: Dir<'_>, $($arg: $ty),*) -> Answer<$out> {
            let command = {
                $(#[allow(unused_variables)] let $arg = $arg.clone();)*
                move |$cd: &orgdesk_core::Directory| $command
            };
            let then = {
                $(#[allow(unused_variables)] let $arg = $arg.clone();)*
                move |$td: &mut orgdesk_core::Directory, $t: $out| $then
            };
            state.link().logged(&state, command, move |$d, $a| $call, then).await
        }
        directory_commands!($($rest)*);
    };
    ($(#[$doc:meta])* logged $name:ident($($arg:ident: $ty:ty),*) -> $out:ty =
        |$d:ident, $a:ident| $call:expr, as |$cd:pat_param| $command:expr; $($rest:tt)*) => {
        directory_commands!(
            $(#[$doc])* logged $name($($arg: $ty),*) -> $out =
                |$d, $a| $call, as |$cd| $command, then |_, done| Ok(done);
            $($rest)*
        );
    };
    ($(#[$doc:meta])* $run:ident $name:ident($($arg:ident: $ty:ty),*) -> $out:ty =
        |$($param:ident),+| $call:expr; $($rest:tt)*) => {
        $(#[$doc])*
        #[tauri::command]
        pub async fn $name(state: Dir<'_>, $($arg: $ty),*) -> Answer<$out> {
            state.$run(move |$($param),+| $call).await
        }
        directory_commands!($($rest)*);
    };
}

pub mod departments;
pub mod gateway;
pub mod invitations;
pub mod join;
pub mod members;
pub mod organization;
pub mod roles;
pub mod session;
pub mod spreadsheets;
pub mod team;

#[cfg(test)]
mod list_check;

/// The open directory and the signed-in admin, with the link to the gateway (built-in or
/// remote), as a command receives them: the app's state, and the link through [`Dir::link`].
pub struct Dir<'a> {
    state: tauri::State<'a, AppState>,
    link: tauri::State<'a, Arc<GatewayLink>>,
}

impl Dir<'_> {
    /// The link to the gateway.
    pub fn link(&self) -> &GatewayLink {
        &self.link
    }
}

impl Deref for Dir<'_> {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.state
    }
}

impl<'a, R: tauri::Runtime> CommandArg<'a, R> for Dir<'a> {
    fn from_command(command: CommandItem<'a, R>) -> Result<Self, InvokeError> {
        let webview = command.message.webview_ref();
        match (webview.try_state(), webview.try_state()) {
            (Some(state), Some(link)) => Ok(Self { state, link }),
            _ => Err(InvokeError::from("the app's state is not set up")),
        }
    }
}

/// What a command answers: its value, or the error the window shows.
pub type Answer<T> = Result<T, CommandError>;

/// The signed-in admin when their roles give at least `rank`, else `forbidden` with `why`.
pub fn require_rank(state: &AppState, rank: AdminRank, why: &str) -> Answer<Session> {
    let session = state.require_session()?;
    if AdminRank::of_roles(&session.roles) >= Some(rank) {
        Ok(session)
    } else {
        Err(CommandError::new(ErrorCode::Forbidden, why))
    }
}

/// Every command, for the invoke handler: written by build.rs from src-tauri/commands.txt,
/// the one list of the app's commands (which also gives each its permission).
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}
