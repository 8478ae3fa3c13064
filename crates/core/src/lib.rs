//! Orgdesk's domain: the organization, its department tree and members, the rules that
//! govern them, and the SQLite store that keeps them. Nothing here knows about Tauri; the
//! desktop shell and the command line call the same [`Directory`] services.

pub mod audit;
pub mod auth;
pub mod batch;
pub mod checksum;
pub use orgdesk_rules::clock;
pub mod department_deletion;
pub mod departments;
pub mod error;
pub mod gateway_accounts;
mod index;
pub mod invitations;
pub mod join;
pub mod mailbox;
mod member_events;
mod member_row;
pub mod members;
mod name_keys;
pub mod organization;
pub mod password;
mod retry;
pub mod roles;
mod rows;
pub mod seed;
pub mod settings;
pub mod snapshot;
pub mod spreadsheet;
pub mod store;
pub mod team;
pub mod types;

pub use clock::{Clock, SystemClock};
pub use error::{CommandError, CoreError, ErrorCode, ErrorDetail};
pub use store::Directory;
