//! The import parser over arbitrary bytes: the first byte picks the file's extension (bits
//! 0–1), "create missing departments" (bit 2), a column mapping (bit 3), whether the mapping
//! step's inspection runs too (bit 4) and Chinese problems (bit 5); the rest is the file. The bytes are read as a
//! file would be (calamine for zip / OLE workbooks, the csv crate otherwise), then every row
//! is validated against a small directory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgdesk_fuzz::{inspect, preview, EXTENSIONS};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, file)) = data.split_first() else {
        return;
    };
    let ext = EXTENSIONS[usize::from(sel & 3)];
    preview(file, ext, sel & 4 != 0, sel & 8 != 0, sel & 32 != 0);
    if sel & 16 != 0 {
        inspect(file, ext);
    }
});
