//! The operator's set-up commands of the standalone binary: `init` (a configuration, the
//! pepper and the first organization) and `check` (configuration, database, mail). They
//! return what to print; `main.rs` prints it and picks the exit code.

mod check;
mod init;

pub use check::{check, CheckReport, Finding};
pub use init::{init, InitAnswers, InitDone};

/// The sample configuration `init` fills in; also what the package installs.
pub const SAMPLE_CONFIG: &str = include_str!("../../../../docs/gateway.sample.toml");
