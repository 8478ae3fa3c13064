//! The commands the window may call, one file per UI area. Each parses, calls the core and
//! maps the error; nothing else happens here.

use std::sync::Arc;

use orgdesk_core::CommandError;

use crate::gateway_link::GatewayLink;
use crate::state::AppState;

pub mod departments;
pub mod gateway;
pub mod invitations;
pub mod join;
pub mod members;
pub mod organization;
pub mod roles;
pub mod session;
pub mod spreadsheets;

#[cfg(test)]
mod list_check;

/// The open directory and the signed-in admin, as a command receives them.
pub type Dir<'a> = tauri::State<'a, AppState>;

/// The link to the gateway (built-in or remote), as a command receives it.
pub type Link<'a> = tauri::State<'a, Arc<GatewayLink>>;

/// What a command answers: its value, or the error the window shows.
pub type Answer<T> = Result<T, CommandError>;

/// Every command, for the invoke handler: written by build.rs from src-tauri/commands.txt,
/// the one list of the app's commands (which also gives each its permission).
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}
