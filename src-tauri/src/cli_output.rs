//! What a command of the command line prints: its text (on standard output), or why it failed
//! (on standard error, with exit code 1; `cli::run`).

use orgdesk_core::{CommandError, CoreError};

/// What a command prints on standard output, or why it failed.
pub(crate) type Output = Result<String, CommandError>;

/// `v` as the JSON a command prints with `--json`.
pub(crate) fn to_json(v: &impl serde::Serialize) -> Output {
    serde_json::to_string(v)
        .map_err(|e| CoreError::Internal(format!("The answer could not be encoded: {e}")).into())
}
