//! The CSV path of the import only (BOM, delimiter sniffing, quotes, formula guards, header
//! matching, row validation): the whole input is the file's text, named `.csv`. The first
//! byte's low bit turns on "create missing departments", its next bit Chinese problems.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgdesk_fuzz::preview;

fuzz_target!(|data: &[u8]| {
    let first = data.first().copied().unwrap_or(0);
    preview(data, "csv", first & 1 != 0, false, first & 2 != 0);
});
