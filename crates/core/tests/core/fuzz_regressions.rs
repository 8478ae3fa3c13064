//! Inputs `make fuzz` found (the import_parser target), minimized, each with the clean
//! refusal it must get. calamine 0.35's .xls reader trusts the counts, chains and positions
//! the file declares: each file below is LibreOffice's `staff-title.xls` with one field
//! changed, and made calamine panic, or abort the process asking for 3–137 GB (or growing a
//! buffer until memory ran out).

use std::path::Path;

use orgdesk_core::spreadsheet::{Control, ImportOptions, SpreadsheetError};

use crate::{event_at, with_org};

/// The LibreOffice .xls of the bad-input corpus: 512-byte sectors, the FAT in sector 0, the
/// directory in sectors 11 → 12.
fn xls() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/staff-title.xls");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn set_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Where the FAT (sector 0, just after the header) links sector `id` to the next.
fn fat_entry(id: usize) -> usize {
    512 + id * 4
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

/// Where the first record of type `typ` and data length `len` is in the file (the
/// workbook stream's sectors follow each other in it).
fn record(bytes: &[u8], typ: u16, len: u16) -> usize {
    let head = [typ.to_le_bytes(), len.to_le_bytes()].concat();
    bytes
        .windows(4)
        .position(|w| w == head.as_slice())
        .expect("the record")
}

/// A preview of `bytes` as an .xls: refused with `code` (never a panic or an abort).
fn refused_as(code: &str, bytes: Vec<u8>) -> String {
    let (d, _) = with_org();
    match d.preview_import_bytes(bytes, "xls", &ImportOptions::default(), &Control::none()) {
        Err(SpreadsheetError::Refused(r)) => {
            assert_eq!(r.code, code, "{r:?}");
            r.reason
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Refused as a damaged file.
fn refused(bytes: Vec<u8>) -> String {
    let reason = refused_as("corrupt", bytes);
    assert!(reason.contains("Open it in Excel"), "{reason}");
    reason
}

#[test]
fn fuzz_valid_xls_still_reads() {
    let (d, _) = with_org();
    let bytes = xls();
    d.preview_import_bytes(bytes, "xls", &ImportOptions::default(), &Control::none())
        .expect("the unchanged file reads");
}

/// The crash the fuzzer found: the directory's last sector is cut short (the file ends 102
/// bytes into it), and calamine sliced an entry's fields past its end ("range start index
/// 116 out of range for slice of length 102", cfb.rs). Caught around calamine's parse.
#[test]
fn fuzz_xls_cut_directory_entry_is_refused() {
    let mut bytes = xls();
    set_u32(&mut bytes, fat_entry(11), ENDOFCHAIN);
    bytes.truncate(512 + 11 * 512 + 102);
    let reason = refused(bytes);
    assert!(reason.contains("damaged"), "{reason}");
}

/// A FAT of 4 G sectors declared by a 7 KB file: calamine reserved 16 GB up front.
#[test]
fn fuzz_xls_fat_count_beyond_file_is_refused() {
    let mut bytes = xls();
    set_u32(&mut bytes, 44, u32::MAX);
    let reason = refused(bytes);
    assert!(
        reason.contains("more sectors than the file holds"),
        "{reason}"
    );
}

/// The directory's chain links its last sector back to its first: calamine read the
/// directory until memory ran out.
#[test]
fn fuzz_xls_looping_directory_chain_is_refused() {
    let mut bytes = xls();
    set_u32(&mut bytes, fat_entry(12), 11);
    let reason = refused(bytes);
    assert!(reason.contains("loops back on itself"), "{reason}");
}

/// A DIFAT sector (appended as sector 13) that names itself as the next one: calamine grew
/// the DIFAT forever.
#[test]
fn fuzz_xls_looping_difat_chain_is_refused() {
    let mut bytes = xls();
    let mut sector = vec![0xFF; 508];
    sector.extend_from_slice(&13u32.to_le_bytes());
    bytes.extend_from_slice(&sector);
    set_u32(&mut bytes, 68, 13);
    set_u32(&mut bytes, 72, 1);
    let reason = refused(bytes);
    assert!(reason.contains("loops back on itself"), "{reason}");
}

/// The OOM the fuzzer found: the sheet's Dimensions record claims 16 M rows of 5 columns,
/// and calamine reserved room for all those cells (3.3 GB) while opening the file.
#[test]
fn fuzz_xls_huge_dimensions_are_refused() {
    let mut bytes = xls();
    let at = record(&bytes, 0x0200, 14);
    set_u32(&mut bytes, at + 8, 0x0100_0000);
    let reason = refused_as("too_large", bytes);
    assert!(reason.contains("save it as .xlsx"), "{reason}");
}

/// One cell moved to row 65,536, column 65,536: calamine laid the sheet out as a dense range
/// from A1 to there (137 GB).
#[test]
fn fuzz_xls_far_apart_cells_are_refused() {
    let mut bytes = xls();
    let at = record(&bytes, 0x00FD, 10);
    bytes[at + 4..at + 8].copy_from_slice(&[0xFF; 4]);
    refused_as("too_large", bytes);
}

/// The event_applier target: a member event whose time (Unix seconds, from the gateway) does
/// not fit in milliseconds overflowed while being applied, a panic in a debug build. It is
/// applied with the time saturated.
#[test]
fn a_member_event_from_the_end_of_time_is_applied() {
    use orgdesk_protocol::EventKind;
    let (mut d, _) = with_org();
    for (seq, at) in [(1, i64::MAX), (2, i64::MIN)] {
        let signed_in = EventKind::SignedIn {
            account_id: Some("acc_nobody".into()),
            username: "ann".into(),
        };
        let page = [event_at(seq, at, signed_in)];
        d.apply_gateway_events(&page, seq).unwrap();
        assert_eq!(d.gateway_event_cursor().unwrap(), seq);
    }
}
