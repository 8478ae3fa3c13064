//! Integration tests of the core services over a real SQLite store.

mod bindings;
mod corpus;
mod departments;
mod fuzz_regressions;
mod gateway_trust;
mod import_mapping;
mod import_quota;
mod import_zh;
mod index;
mod invitations;
mod mailbox;
mod members;
mod migrations;
mod organization;
mod sign_in;
mod spreadsheet;

use std::sync::Arc;

use orgdesk_core::clock::ManualClock;
use orgdesk_core::organization::SetupInput;
use orgdesk_core::Directory;

pub const PASSWORD: &str = "Correct-Horse1";

pub fn setup_input(org: &str, username: &str) -> SetupInput {
    SetupInput {
        organization_name: org.into(),
        admin_name: "Ann Lee".into(),
        username: username.into(),
        password: PASSWORD.into(),
        password_confirm: PASSWORD.into(),
    }
}

/// A fresh in-memory directory with a clock the test moves by hand.
pub fn fresh() -> (Directory, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_790_000_000_000));
    (Directory::open_in_memory(clock.clone()).unwrap(), clock)
}

/// A directory with "Acme" set up and admin "ann".
pub fn with_org() -> (Directory, Arc<ManualClock>) {
    let (mut d, c) = fresh();
    d.setup_organization(&setup_input("Acme", "ann")).unwrap();
    (d, c)
}
