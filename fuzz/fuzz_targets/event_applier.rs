//! Pages of the gateway's event feed applied to a directory with an admin bound to their
//! gateway account, members waiting on invitations and one registered member: every kind of
//! event, with values drawn from a dictionary of the directory's own usernames, accounts and
//! invitations, invalid and bidirectional text and Argon2id hashes in and out of bounds, or
//! arbitrary. Never a panic; after each page the invariants in `orgdesk_fuzz::events` hold.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgdesk_fuzz::events::{run, Input};

fuzz_target!(|input: Input| {
    run(&input);
});
