//! The pages' form posts: the first byte picks the form (register, decline, accept, sign in,
//! details, password, sign out, reset, join, join code; see `orgdesk_gateway::fuzzing::FORMS`),
//! the second the join link's required fields (bits 0–3: email, mobile, employee id, work
//! location); the rest is the `application/x-www-form-urlencoded` body, decoded as axum's
//! `Form` does and checked as the handler does (names, usernames, passwords, mobile and email,
//! bidirectional characters, the CSRF cookie and token). Never a panic; what is accepted is
//! accepted again once sent again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgdesk_protocol::JoinField;

fuzz_target!(|data: &[u8]| {
    let [which, fields, body @ ..] = data else {
        return;
    };
    let required: Vec<JoinField> = JoinField::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| fields & (1 << i) != 0)
        .map(|(_, f)| f)
        .collect();
    orgdesk_gateway::fuzzing::form(*which, body, &required);
});
