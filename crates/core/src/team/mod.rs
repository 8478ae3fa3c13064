//! Team mode's directory half: every edit an admin makes as a typed command (`command.rs`)
//! and the body of its change (`body.rs`), the organization's change log applied in order through the core (`apply.rs`), and this
//! computer's own commands waiting to go out and come back (`pending.rs`, which also tells the
//! other computers what the gateway answered about an invitation this one sent); an import made into the
//! changes of its parts (`import.rs`).
//!
//! The rules that keep every computer's directory equal:
//! - **Order.** Changes are applied strictly in the log's order, each once: a change already
//!   applied is passed over, a gap is an error and nothing is written.
//! - **Ids.** Member and department ids are the directory's, assigned as the command is
//!   applied; every computer applies the same commands in the same order from the same
//!   state, so they come out equal. Nothing this computer keeps for itself (history, search
//!   keys, outbox rows, sign-in failures, these tables) is a row of `members` or
//!   `departments`, so nothing local takes from their id sequences.
//! - **Time and chance.** What must be equal is decided when the command is made and carried
//!   in it: its time `at` (the change is applied under it) and any random value (a new
//!   member's password hash). Nothing is decided when it is applied.
//! - **Permission.** The author is the member bound to the gateway account that sent the
//!   change (bound by id), and must be an enabled admin at that point of the log; settings are
//!   a Super Admin's ([`crate::auth::AdminRank`], the rule the window and the command line
//!   use).
//! - **Refusals.** A change that cannot be read, whose author may not make it, or that the core
//!   refuses (a username taken, a member already removed …) writes nothing of itself; the
//!   refusal is recorded and the cursor moves on, the same everywhere.
//! - **Pending.** This computer's own commands are applied when they come back from the log,
//!   in its order, never before: every computer applies exactly the same sequence.

mod apply;
mod body;
mod command;
mod import;
mod pending;
mod view;
mod words;

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

pub use body::{TeamCommand, FORMAT};
pub use command::{Command, MAX_BATCH_MEMBERS};
pub use import::ImportMade;
/// One change as the log hands it out: `seq`, `change_id`, `device_id`, `account_id`, `at`
/// (the gateway's time, Unix seconds) and `body`.
pub use orgdesk_protocol::Change as LoggedChange;
pub use pending::{ChangeFate, Edit, PendingCommand};
pub use view::{JoinTeamInput, TeamDevice, TeamEnrollment, TeamStatus};

/// What applying one change of the log did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Its `seq` was applied before: nothing was done.
    AlreadyApplied,
    /// It was applied. `mine`: one of this computer's pending commands.
    Applied { mine: bool },
    /// It was refused, for `reason`; nothing of it was written.
    Refused { mine: bool, reason: String },
}

/// A change this computer sent that the log's order refused, for its author to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RefusedChange {
    pub seq: i64,
    pub change_id: String,
    /// What the change would have done ("Add member Bob Lee (bob)").
    pub what: String,
    /// The change's kind ("member.add"), with which the window words `what` in its language;
    /// null when the change could not be read.
    pub kind: Option<String>,
    /// The names that wording uses, by kind (`name`, `username`, `department`, `member` …).
    #[ts(type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
    /// The field it was refused for, when one.
    pub field: Option<String>,
    /// Why ("The username \"bob\" is already used.").
    pub reason: String,
    /// Why, as a code the window translates (`taken`, `not_allowed`, `not_found` …; see
    /// `words::refusal_code`); empty for refusals recorded before it was kept.
    pub code: String,
    /// When the gateway placed it in the log, Unix seconds.
    pub logged_at: i64,
}

impl RefusedChange {
    /// The refusal as the admin who made the change reads it where they made it.
    pub fn refusal(&self) -> crate::error::CoreError {
        crate::error::CoreError::Conflict(format!(
            "The team's change log refused it: {}. {}",
            self.what, self.reason
        ))
    }
}
