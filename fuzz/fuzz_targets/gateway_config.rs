//! The gateway's configuration file: arbitrary text read as TOML into the configuration and
//! checked (`Config::from_toml`), with the words in fuzz/config.dict. Never a panic; a refusal
//! is a message; a configuration that loads validates again, loads the same twice and gives
//! the server its settings and limits.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        orgdesk_gateway::fuzzing::config(text);
    }
});
