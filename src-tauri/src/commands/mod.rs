//! The commands the window may call, one file per UI area. Each parses, calls the core and
//! maps the error; nothing else happens here.

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

/// Every command, for the invoke handler: written by build.rs from src-tauri/commands.txt,
/// the one list of the app's commands (which also gives each its permission).
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}
