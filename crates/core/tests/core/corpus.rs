//! The bad-input corpus (issue 4): malformed and awkward files, each with the outcome it must
//! get. Bad input never panics or corrupts: a row-level problem is reported with its row,
//! column and reason; a whole-file problem is a refusal with a code, and writes nothing.
//!
//! Most files are made here (rust_xlsxwriter, raw bytes, text); the ones in
//! `tests/fixtures/corpus/` were written by LibreOffice (`make-libreoffice.sh` beside them), a
//! writer other than ours that stores mobiles and IDs as numbers and dates as serials.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{Control, ImportOptions, ImportReport, SpreadsheetError};
use orgdesk_core::Directory;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

use crate::{column, count, temp_file, with_org, with_org_admin};

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/corpus")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A cell of a generated sheet.
#[derive(Clone, Copy)]
enum C<'a> {
    S(&'a str),
    N(f64),
    Date(f64),
    F(&'a str),
    B(bool),
}

fn put(ws: &mut Worksheet, rows: &[Vec<C<'_>>]) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match *cell {
                C::S("") => {}
                C::S(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                C::N(n) => {
                    ws.write_number(r, c, n).unwrap();
                }
                C::Date(n) => {
                    ws.write_number_with_format(r, c, n, &date).unwrap();
                }
                C::F(f) => {
                    ws.write_formula(r, c, Formula::new(f).set_result("x"))
                        .unwrap();
                }
                C::B(b) => {
                    ws.write_boolean(r, c, b).unwrap();
                }
            }
        }
    }
}

/// One sheet of `rows`.
fn xlsx(rows: &[Vec<C<'_>>]) -> Vec<u8> {
    xlsx_then(rows, |_| {})
}

/// One sheet of `rows`, to which `then` writes more.
fn xlsx_then(rows: &[Vec<C<'_>>], then: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    put(ws, rows);
    then(ws);
    wb.save_to_buffer().unwrap()
}

fn s<'a>(cells: &[&'a str]) -> Vec<C<'a>> {
    cells.iter().map(|x| C::S(x)).collect()
}

const HEAD: [&str; 4] = ["Name", "Email", "Department", "Work Location"];

/// A row under [`HEAD`]: Ann of Sales, with `last` in the last column.
fn ann_with(last: C<'_>) -> Vec<C<'_>> {
    vec![C::S("Ann"), C::S("a@example.com"), C::S("Sales"), last]
}

// ---- zip surgery: a few entries rewritten, a bomb added ------------------------------------

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (!(crc & 1)).wrapping_add(1));
        }
    }
    !crc
}

/// A zip entry as written: `method` 0 (stored) or 8 (deflate), the data as stored, and the
/// uncompressed size and CRC the headers declare (they may lie).
struct Entry {
    name: String,
    method: u16,
    data: Vec<u8>,
    size: u32,
    crc: u32,
}

impl Entry {
    fn stored(name: &str, data: Vec<u8>) -> Self {
        Entry {
            name: name.into(),
            method: 0,
            size: data.len() as u32,
            crc: crc32(&data),
            data,
        }
    }
}

/// A zip archive written by hand, so that its headers can say what a test wants.
fn zip_of(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(e.method.to_le_bytes());
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(e.crc.to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend(e.size.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The entries of a zip, uncompressed, to be written again with [`zip_of`].
fn unzip(bytes: &[u8]) -> Vec<Entry> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            Entry::stored(f.name(), data)
        })
        .collect()
}

/// A raw deflate stream of `head`, then `n` MiB of `fill`, then `tail`, made of independently
/// compressed pieces (a full flush between them), so that 1 GiB costs about 1 MB.
fn deflate_bomb(head: &[u8], fill: u8, n: usize, tail: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let piece = |data: &[u8], flush: FlushCompress| {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() / 500 + 1024);
        c.compress_vec(data, &mut out, flush).unwrap();
        assert_eq!(c.total_in() as usize, data.len());
        out
    };
    let mut out = piece(head, FlushCompress::Full);
    let mib = piece(&vec![fill; 1 << 20], FlushCompress::Full);
    for _ in 0..n {
        out.extend(&mib);
    }
    out.extend(piece(tail, FlushCompress::Finish));
    out
}

/// A small good workbook with its `xl/workbook.xml` edited.
fn edit_workbook_xml(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut entries = unzip(bytes);
    for e in &mut entries {
        if e.name == "xl/workbook.xml" {
            *e = Entry::stored(
                &e.name.clone(),
                edit(String::from_utf8(e.data.clone()).unwrap()).into_bytes(),
            );
        }
    }
    zip_of(&entries)
}

/// A one-sheet .ods of these `<table:table-row>` elements.
pub(crate) fn ods(rows: &[&str]) -> Vec<u8> {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Members\">{}</table:table>\
         </office:spreadsheet></office:body></office:document-content>",
        rows.concat()
    );
    zip_of(&[
        Entry::stored(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        Entry::stored("content.xml", content.into_bytes()),
        Entry::stored(
            "META-INF/manifest.xml",
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
              xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
              <manifest:file-entry manifest:full-path=\"/\" \
              manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/></manifest:manifest>"
                .to_vec(),
        ),
    ])
}

// ---- the corpus ---------------------------------------------------------------------------

/// What a file must get.
enum Expect {
    /// Refused with this code, with nothing written.
    Refused(&'static str),
    /// Imported: counts (create, update, unchanged, failed), and each failed row's problems as
    /// (row, column, a fragment of the reason); the failed rows are exactly the ones listed.
    Imported {
        counts: [u32; 4],
        problems: &'static [(u32, &'static str, &'static str)],
    },
}
use Expect::{Imported, Refused};

/// Imported with these counts and failed rows' problems (see [`Expect::Imported`]).
fn imported(counts: [u32; 4], problems: &'static [(u32, &'static str, &'static str)]) -> Expect {
    Imported { counts, problems }
}

struct Case {
    /// The file's name; its extension is what a user would have.
    file: &'static str,
    how: &'static str,
    bytes: Vec<u8>,
    create_missing: bool,
    expect: Expect,
    /// What the directory must hold afterwards, beyond the counts.
    check: Option<fn(&Directory, &ImportReport)>,
}

impl Case {
    /// The same case, checking `check` afterwards.
    fn then(self, check: fn(&Directory, &ImportReport)) -> Self {
        Self {
            check: Some(check),
            ..self
        }
    }

    /// The same case with "create missing departments" on.
    fn creating_departments(self) -> Self {
        Self {
            create_missing: true,
            ..self
        }
    }
}

fn case(file: &'static str, how: &'static str, bytes: Vec<u8>, expect: Expect) -> Case {
    Case {
        file,
        how,
        bytes,
        create_missing: false,
        expect,
        check: None,
    }
}

pub(crate) fn member(d: &Directory, name: &str) -> orgdesk_core::members::MemberDetails {
    let id = d
        .connection()
        .query_row("SELECT id FROM members WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("no member named {name:?}: {e}"));
    d.member_details(id).unwrap()
}

fn names(d: &Directory) -> Vec<String> {
    column(d, "SELECT name FROM members ORDER BY id")
}

fn rows_of(r: &ImportReport) -> Vec<u32> {
    r.rows.iter().map(|x| x.row).collect()
}

/// The exact names of the Unicode case, as the file holds them and the directory must.
const UNICODE_NAMES: [&str; 6] = [
    "王小明",
    "محمد علي",
    "שרה כהן",
    "Zoë 👩‍👩‍👧 Smith",
    "Ana 🇧🇷",
    "Jos\u{65}\u{301} Ñúñez",
];

/// What staff-title.fods gets, as LibreOffice writes it to .xlsx or .xls.
fn staff_title_outcome() -> Expect {
    imported(
        [2, 0, 0, 3],
        &[
            (4, "Work Location", "is a formula"),
            (6, "Department", "Department is required"),
            (7, "Work Location", "is a date"),
        ],
    )
}

fn cases() -> Vec<Case> {
    let good = xlsx(&[s(&HEAD), s(&["Ann", "ann@example.com", "Sales", ""])]);
    let mut v = vec![
        // -- whole-file problems: refused, nothing written
        case(
            "photo.xlsx",
            "PNG bytes renamed .xlsx",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10".to_vec(),
            Refused("not_spreadsheet"),
        ),
        case(
            "report.xlsx",
            "PDF bytes renamed .xlsx",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec(),
            Refused("not_spreadsheet"),
        ),
        case(
            "letter.xlsx",
            "a .docx (zip with word/document.xml) renamed .xlsx",
            zip_of(&[
                Entry::stored("[Content_Types].xml", b"<Types/>".to_vec()),
                Entry::stored("word/document.xml", b"<w:document/>".to_vec()),
            ]),
            Refused("not_spreadsheet"),
        ),
        case(
            "photos.xlsx",
            "a plain zip archive renamed .xlsx",
            zip_of(&[Entry::stored("readme.txt", b"hello".to_vec())]),
            Refused("not_spreadsheet"),
        ),
        case(
            "binary.xlsb",
            "an Excel binary workbook (zip with xl/workbook.bin)",
            zip_of(&[
                Entry::stored("[Content_Types].xml", b"<Types/>".to_vec()),
                Entry::stored("xl/workbook.bin", vec![0x83, 0x01, 0x00]),
            ]),
            Refused("not_spreadsheet"),
        ),
        case(
            "cut.xlsx",
            "a good xlsx truncated to half",
            good[..good.len() / 2].to_vec(),
            Refused("corrupt"),
        ),
        case(
            "cut-early.xlsx",
            "a good xlsx truncated to its first 40 bytes",
            good[..40].to_vec(),
            Refused("corrupt"),
        ),
        case(
            "secret.xlsx",
            "an OLE container with an EncryptionInfo stream (password-protected xlsx)",
            {
                let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
                ole.extend(vec![0u8; 504]);
                ole.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
                ole
            },
            Refused("encrypted"),
        ),
        case("empty.csv", "0 bytes", Vec::new(), Refused("empty")),
        case(
            "blank-lines.csv",
            "only blank and whitespace lines",
            b"\r\n  \r\n ,, \r\n".to_vec(),
            Refused("empty"),
        ),
        case(
            "empty-sheet.xlsx",
            "rust_xlsxwriter, one sheet with no cells",
            xlsx(&[]),
            Refused("empty"),
        ),
        case(
            "header-only.xlsx",
            "rust_xlsxwriter, the header row and nothing below",
            xlsx(&[s(&HEAD)]),
            Refused("empty"),
        ),
        case(
            "no-header.csv",
            "data rows with no header",
            "Ann,ann@example.com,Sales\nBob,bob@example.com,Sales\n".into(),
            Refused("no_header"),
        ),
        case(
            "no-department.xlsx",
            "rust_xlsxwriter, a header without the required Department",
            xlsx(&[s(&["Name", "Email"]), s(&["Ann", "ann@example.com"])]),
            Refused("missing_headers"),
        ),
        case(
            "all-hidden.xlsx",
            "rust_xlsxwriter, workbook.xml edited so its only sheet is hidden",
            edit_workbook_xml(&good, |x| {
                x.replace(
                    "<sheet name=\"Sheet1\"",
                    "<sheet state=\"hidden\" name=\"Sheet1\"",
                )
            }),
            Refused("no_sheet"),
        ),
        case(
            "latin1.csv",
            "Windows-1252 text (neither UTF-8 nor GBK)",
            b"Name,Department\nJos\xe9,Sales\n".to_vec(),
            Refused("not_utf8"),
        ),
        case(
            "data.csv",
            "binary bytes with NULs named .csv",
            b"Name,Department\n\0\x01\x02\x03".to_vec(),
            Refused("not_spreadsheet"),
        ),
        case(
            "bomb.xlsx",
            "a good xlsx plus an entry declared and deflated to 1.1 GiB of zeros (~1 MB on disk)",
            {
                let mut e = unzip(&good);
                let data = deflate_bomb(b"", 0, 1100, b"");
                e.push(Entry {
                    name: "xl/media/image1.png".into(),
                    method: 8,
                    size: 1100 << 20,
                    crc: 0,
                    data,
                });
                zip_of(&e)
            },
            Refused("zip_bomb"),
        ),
        case(
            "liar.xlsx",
            "sharedStrings.xml declared 100 bytes, deflating to one 1.1 GiB string",
            {
                let mut e = unzip(&good);
                let data = deflate_bomb(b"<sst><si><t>", b'a', 1100, b"</t></si></sst>");
                for x in &mut e {
                    if x.name == "xl/sharedStrings.xml" {
                        *x = Entry {
                            name: x.name.clone(),
                            method: 8,
                            size: 100,
                            crc: 0,
                            data: data.clone(),
                        };
                    }
                }
                zip_of(&e)
            },
            Refused("zip_bomb"),
        ),
    ];

    v.push(case(
        "formula-spread.xlsx",
        "rust_xlsxwriter, 5 KB: formulas at A2 and XFD1048576 (calamine would lay out 400 GB)",
        xlsx_then(&[s(&HEAD)], |ws| {
            ws.write_formula(1, 0, "=1+1").unwrap();
            ws.write_formula(1_048_575, 16_383, "=1+2").unwrap();
        }),
        Refused("too_large"),
    ));
    v.push(case(
        "repeat-bomb.ods",
        "hand-written 1.5 KB .ods: a filled cell repeated 16,000 columns x 1,048,000 rows",
        ods(&[
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>Department</text:p></table:table-cell></table:table-row>",
            "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16000\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>",
        ]),
        Refused("too_large"),
    ));
    v.push(case(
        "far-cell.xlsx",
        "rust_xlsxwriter, a good row and a stray value at XFD1048576",
        xlsx_then(
            &[s(&HEAD), s(&["Ann", "ann@example.com", "Sales", ""])],
            |ws| {
                ws.write_string(1_048_575, 16_383, "stray").unwrap();
            },
        ),
        imported([1, 0, 0, 1], &[(1_048_576, "Name", "Name is required")]),
    ));
    v.push(case(
        "repeats.ods",
        "hand-written .ods: repeated rows and cells as LibreOffice writes them (trailing \
         empty ones over the whole sheet), one member row repeated 3 times",
        ods(&[
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>Department</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"16382\"/></table:table-row>",
            "<table:table-row table:number-rows-repeated=\"3\"><table:table-cell office:value-type=\"string\"><text:p>Ann</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>Sales</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"16382\"/></table:table-row>",
            "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>",
        ]),
        imported([0, 0, 0, 3], &[
                (2, "Email", "needs a Username and Password, or an Email or Mobile"),
                (3, "Email", "needs a Username and Password, or an Email or Mobile"),
                (4, "Email", "needs a Username and Password, or an Email or Mobile"),
            ]),
    ));

    // -- headers, layout, sheets
    v.push(
        case(
            "title-row.xlsx",
            "rust_xlsxwriter, a merged title row and a blank row above the header (row 3)",
            {
                let mut wb = Workbook::new();
                let ws = wb.add_worksheet();
                ws.merge_range(0, 0, 0, 3, "Staff list 2026", &Format::new())
                    .unwrap();
                for (r, row) in [
                    s(&HEAD),
                    s(&["Ann", "ann@example.com", "Sales", ""]),
                    s(&["", "", "", ""]),
                    s(&["Bob", "bob@example.com", "Sales", ""]),
                ]
                .iter()
                .enumerate()
                {
                    for (c, cell) in row.iter().enumerate() {
                        if let C::S(x) = cell {
                            if !x.is_empty() {
                                ws.write_string(r as u32 + 2, c as u16, *x).unwrap();
                            }
                        }
                    }
                }
                wb.save_to_buffer().unwrap()
            },
            imported([2, 0, 0, 0], &[]),
        )
        .then(|_, r| assert_eq!(rows_of(r), [4, 6], "rows as Excel numbers them")),
    );
    v.push(
        case(
            "hidden-first.xlsx",
            "rust_xlsxwriter, sheet 1 hidden (a header and a row of its own), data on sheet 2",
            {
                let mut wb = Workbook::new();
                let hidden = wb.add_worksheet();
                put(hidden, &[s(&HEAD), s(&["Hidden", "", "/", ""])]);
                hidden.set_hidden(true);
                let shown = wb.add_worksheet();
                put(
                    shown,
                    &[s(&HEAD), s(&["Visible", "v@example.com", "/", ""])],
                );
                shown.set_active(true);
                wb.save_to_buffer().unwrap()
            },
            imported([1, 0, 0, 0], &[]),
        )
        .then(|d, _| assert_eq!(names(d), ["Ann Lee", "Visible"])),
    );
    v.push(case(
        "merged-department.xlsx",
        "rust_xlsxwriter, Department merged over rows 2-3: only row 2 holds it",
        xlsx_then(
            &[
                s(&HEAD),
                s(&["Ann", "ann@example.com", "", ""]),
                s(&["Bob", "bob@example.com", "", ""]),
            ],
            |ws| {
                ws.merge_range(1, 2, 2, 2, "Sales", &Format::new()).unwrap();
            },
        ),
        imported([1, 0, 0, 1], &[(3, "Department", "Department is required")]),
    ));
    v.push(
        case(
            "staff-title.xlsx",
            "LibreOffice from staff-title.fods: merged title, header in row 3, formula, \
             merged Department, a date, a hidden sheet",
            fixture("staff-title.xlsx"),
            staff_title_outcome(),
        )
        .then(|d, _| {
            assert!(names(d).iter().all(|n| n != "Hidden Person"));
        }),
    );
    v.push(case(
        "staff-title.xls",
        "LibreOffice (MS Excel 97) from staff-title.fods",
        fixture("staff-title.xls"),
        staff_title_outcome(),
    ));

    // -- cell types
    v.push(case(
        "hyperlink-name.xlsx",
        "rust_xlsxwriter, =HYPERLINK(...) formula in Name",
        xlsx(&[
            s(&HEAD),
            vec![
                C::F("HYPERLINK(\"http://evil.example\",\"Click me\")"),
                C::S("f@example.com"),
                C::S("Sales"),
            ],
        ]),
        imported([0, 0, 0, 1], &[(2, "Name", "is a formula (=HYPERLINK(")]),
    ));
    v.push(case(
        "dates.xlsx",
        "rust_xlsxwriter, date serials in Name and Work Location",
        xlsx(&[
            s(&HEAD),
            ann_with(C::Date(46082.0)),
            vec![C::Date(46082.5), C::S("b@example.com"), C::S("Sales")],
        ]),
        imported(
            [0, 0, 0, 2],
            &[
                (2, "Work Location", "is a date (2026-03-01"),
                (3, "Name", "is a date (2026-03-01 12:00)"),
            ],
        ),
    ));
    v.push(case(
        "booleans.xlsx",
        "rust_xlsxwriter, TRUE in Work Location",
        xlsx(&[s(&HEAD), ann_with(C::B(true))]),
        imported([0, 0, 0, 1], &[(2, "Work Location", "is the value TRUE")]),
    ));
    v.push(
        case(
            "numeric-mobile.xlsx",
            "rust_xlsxwriter, Mobile as the number 13812345678 (region CN); 1234 fails",
            xlsx(&[
                s(&["Name", "Mobile", "Department"]),
                vec![C::S("Li Lei"), C::N(13812345678.0), C::S("Sales")],
                vec![C::S("Kai"), C::N(1234.0), C::S("Sales")],
            ]),
            imported([1, 0, 0, 1], &[(3, "Mobile", "stored as a number")]),
        )
        .then(|d, _| {
            let m = member(d, "Li Lei");
            assert_eq!(m.mobile.as_deref(), Some("+8613812345678"));
        }),
    );
    v.push(
        case(
            "numeric-id.xlsx",
            "rust_xlsxwriter, Employee ID 00123 typed into a number cell (stored as 123); 1.5 fails",
            xlsx(&[
                s(&["Name", "Email", "Department", "Employee ID"]),
                vec![C::S("Li Lei"), C::S("li@example.com"), C::S("Sales"), C::N(123.0)],
                vec![C::S("Kai"), C::S("kai@example.com"), C::S("Sales"), C::N(1.5)],
            ]),
            imported([1, 0, 0, 1], &[(3, "Employee ID", "cannot be turned back into the exact text")]),
        )
        .then(|d, _| {
            // What the cell holds (and Excel shows without a "00000" format) is 123: it is
            // imported as that, never as "123.0".
            assert_eq!(member(d, "Li Lei").employee_id.as_deref(), Some("123"));
        }),
    );
    v.push(
        case(
            "staff-numeric.xlsx",
            "LibreOffice from staff-numeric.csv: mobiles and 00123 as numbers, a date serial",
            fixture("staff-numeric.xlsx"),
            imported(
                [2, 0, 0, 1],
                &[(3, "Work Location", "is a date (2026-03-01")],
            ),
        )
        .then(|d, _| {
            let li = member(d, "Li Lei");
            assert_eq!(li.mobile.as_deref(), Some("+8613812345678"));
            assert_eq!(li.employee_id.as_deref(), Some("123"));
            let wang = member(d, "Wang Fang");
            assert_eq!(wang.mobile.as_deref(), Some("+8613712345678"));
            assert_eq!(wang.employee_id.as_deref(), Some("E0042"));
        }),
    );
    v.push(case(
        "huge-cell.xlsx",
        "rust_xlsxwriter, a 32,767-character Work Location (Excel's largest cell)",
        {
            let big = "x".repeat(32_767);
            xlsx(&[s(&HEAD), ann_with(C::S(&big))])
        },
        imported(
            [0, 0, 0, 1],
            &[(2, "Work Location", "at most 64 characters")],
        ),
    ));
    v.push(case(
        "huge-cell.csv",
        "a 1 MB Name",
        format!(
            "Name,Department,Email\n{},Sales,a@example.com\nBob,Sales,b@example.com\n",
            "y".repeat(1 << 20)
        )
        .into(),
        imported(
            [1, 0, 0, 1],
            &[(2, "Name", "at most 64 characters (it has 1048576)")],
        ),
    ));

    // -- CSV shapes and encodings
    v.push(case(
        "crlf.csv",
        "CRLF line ends",
        "Name,Email,Department\r\nAnn,ann@example.com,Sales\r\nBob,bob@example.com,Sales\r\n"
            .into(),
        imported([2, 0, 0, 0], &[]),
    ));
    v.push(
        case(
            "quoted-newlines.csv",
            "quoted fields holding newlines (in Name: refused; in Work Location: kept)",
            "Name,Email,Department,Work Location\n\"Ann\nLee\",a@example.com,Sales,\nBob,b@example.com,Sales,\"Floor 1\nDesk 4\"\nCleo,c@example.com,Sales,\n"
                .into(),
            imported([2, 0, 0, 1], &[(2, "Name", "control characters")]),
        )
        .then(|d, r| {
            // Rows are records, as a spreadsheet program shows them, not physical lines.
            assert_eq!(rows_of(r), [2, 3, 4]);
            assert_eq!(
                member(d, "Bob").work_location.as_deref(),
                Some("Floor 1\nDesk 4")
            );
        }),
    );
    v.push(
        case(
            "semicolons.csv",
            "semicolon-separated (Excel in a European locale), commas inside values",
            "Name;Email;Department;Work Location\nLee, Ann;ann@example.com;Sales;Köln\n".into(),
            imported([1, 0, 0, 0], &[]),
        )
        .then(|d, _| {
            assert_eq!(member(d, "Lee, Ann").work_location.as_deref(), Some("Köln"));
        }),
    );
    v.push(case(
        "bom.csv",
        "UTF-8 byte order mark before the first header",
        "\u{feff}Name,Department,Email\nAnn,Sales,ann@example.com\n".into(),
        imported([1, 0, 0, 0], &[]),
    ));
    v.push(
        case(
            "trailing-columns.csv",
            "trailing empty columns on every line",
            "Name,Email,Department,,,\nAnn,ann@example.com,Sales,,,\nBob,bob@example.com,Sales,,,,,,\n"
                .into(),
            imported([2, 0, 0, 0], &[]),
        )
        .then(|_, r| assert!(r.ignored_columns.is_empty(), "{:?}", r.ignored_columns)),
    );
    v.push(
        case(
            "whitespace-rows.csv",
            "whitespace-only rows between members (skipped, numbering kept)",
            "Name,Department,Email\nAnn,Sales,a@example.com\n   ,  \n\t,\t\nBob,Sales,b@example.com\n  \n".into(),
            imported([2, 0, 0, 0], &[]),
        )
        .then(|_, r| assert_eq!(rows_of(r), [2, 5])),
    );
    v.push(case(
        "ragged.csv",
        "rows shorter and longer than the header",
        "Name,Department,Mobile,Email\nAnn,Sales,+8613812345678\nBob,Sales,,bob@example.com,extra,cells\n".into(),
        imported([2, 0, 0, 0], &[]),
    ));
    v.push(
        case(
            "gbk.csv",
            "Chinese headers and names in GBK (Excel's \"CSV\" in a Chinese locale)",
            // 姓名,部门,工作地点 / 王小明,Sales,北京
            b"\xd0\xd5\xc3\xfb,\xb2\xbf\xc3\xc5,\xb9\xa4\xd7\xf7\xb5\xd8\xb5\xe3,Email\r\n\
              \xcd\xf5\xd0\xa1\xc3\xf7,Sales,\xb1\xb1\xbe\xa9,w@example.com\r\n"
                .to_vec(),
            imported([1, 0, 0, 0], &[]),
        )
        .then(|d, _| assert_eq!(member(d, "王小明").work_location.as_deref(), Some("北京"))),
    );
    v.push(
        case(
            "unicode.txt",
            "UTF-16LE with a BOM, tab-separated (Excel's \"Unicode Text\")",
            {
                let mut b = vec![0xFF, 0xFE];
                b.extend(
                    "姓名\t部门\t工作地点\t邮箱\r\n王小明\tSales\t北京\tw@example.com\r\n"
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes),
                );
                b
            },
            imported([1, 0, 0, 0], &[]),
        )
        .then(|d, _| assert_eq!(member(d, "王小明").work_location.as_deref(), Some("北京"))),
    );
    v.push(
        case(
            "unicode-names.csv",
            "Chinese, Arabic and Hebrew (right-to-left), emoji with ZWJ and flags, combining accents",
            {
                let mut t = String::from("Name,Department,Email\n");
                for (i, n) in UNICODE_NAMES.iter().enumerate() {
                    t.push_str(&format!("{n},Sales,u{i}@example.com\n"));
                }
                t.into()
            },
            imported([6, 0, 0, 0], &[]),
        )
        .then(|d, _| {
            let mut want = vec!["Ann Lee".to_owned()];
            want.extend(UNICODE_NAMES.iter().map(|n| (*n).to_owned()));
            assert_eq!(names(d), want, "names are kept exactly as the file has them");
        }),
    );
    v.push(case(
        "chinese-headers.csv",
        "Chinese headers with full-width asterisks and stray spaces",
        "姓名＊ , 邮箱 ,部门*\n王小明,wxm@example.com,销售部\n".into(),
        imported([1, 0, 0, 0], &[]),
    ));
    for file in ["staff-chinese.xlsx", "staff-chinese.ods"] {
        v.push(
            case(
                file,
                "LibreOffice from staff-chinese.csv: Chinese headers, emoji and Arabic names",
                fixture(file),
                imported([3, 0, 0, 0], &[]),
            )
            .then(|d, _| {
                let wang = member(d, "王小明");
                assert_eq!(wang.mobile.as_deref(), Some("+8613812345678"));
                assert_eq!(wang.employee_id.as_deref(), Some("E001"));
                assert_eq!(wang.positions[0].department_path, "销售部");
                assert_eq!(member(d, "李雷 😀").work_location.as_deref(), Some("上海"));
                assert_eq!(member(d, "محمد علي").work_location.as_deref(), Some("دبي"));
            }),
        );
    }

    // -- rows against each other and the directory
    v.push(case(
        "duplicates.csv",
        "the same email (in another case) and employee ID on several rows",
        "Name,Email,Employee ID,Department\nA,x@example.com,E1,Sales\nB,X@Example.com,E2,Sales\nC,c@example.com,e1,Sales\nD,d@example.com,E4,Sales\n"
            .into(),
        imported([1, 0, 0, 3], &[
                (2, "Email", "also on row 3"),
                (2, "Employee ID", "also on row 4"),
                (3, "Email", "also on row 2"),
                (4, "Employee ID", "also on row 2"),
            ]),
    ));
    let unknown = "Name,Department,Email\nA,Ops/North,a@example.com\nB,Sales,b@example.com\n";
    v.push(case(
        "unknown-department.csv",
        "a department that does not exist, create-missing off",
        unknown.into(),
        imported(
            [1, 0, 0, 1],
            &[(2, "Department", "No department \"Ops/North\"")],
        ),
    ));
    v.push(
        case(
            "unknown-department-created.csv",
            "the same file with create-missing on",
            unknown.into(),
            imported([2, 0, 0, 0], &[]),
        )
        .creating_departments()
        .then(|d, r| {
            assert_eq!(r.departments_created, ["Ops", "Ops/North"]);
            assert_eq!(member(d, "A").positions[0].department_path, "Ops/North");
        }),
    );
    v.push(case(
        "unknown-role.csv",
        "a role that does not exist",
        "Name,Department,Role,Email\nA,Sales,Wizard,a@example.com\n".into(),
        imported([0, 0, 0, 1], &[(2, "Role", "No role named \"Wizard\"")]),
    ));
    v.push(
        case(
            "formula-text.csv",
            "a CSV cell that reads like a formula (=HYPERLINK...) in Name",
            "Name,Department,Email\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",Sales,h@example.com\n".into(),
            imported([1, 0, 0, 0], &[]),
        )
        .then(|d, _| {
            // A CSV has no formulas: the text is the name. The export escapes it again.
            assert!(names(d).iter().any(|n| n.starts_with("=HYPERLINK(")));
        }),
    );
    v
}

/// Writes `c`, imports it into a fresh directory and returns what went differently than
/// expected.
fn run(c: &Case, dir: &Path) -> Option<String> {
    let (mut d, a) = with_org_admin();
    let settings = Settings {
        default_region: "CN".into(),
        ..d.settings().unwrap()
    };
    d.update_settings(&a, &settings).unwrap();
    let root = d.resolve_department_path("").unwrap();
    for dept in ["Sales", "销售部"] {
        d.create_department(&a, root, dept).unwrap();
    }
    let before: Vec<i64> = ["members", "departments", "audit_log", "positions"]
        .iter()
        .map(|t| count(&d, t))
        .collect();
    let path: PathBuf = dir.join(c.file);
    std::fs::write(&path, &c.bytes).unwrap();
    let opts = ImportOptions {
        create_missing_departments: c.create_missing,
        mapping: None,
        ..Default::default()
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.import_members(&a, &path, &opts, &Control::none())
    }));
    let result = match result {
        Ok(r) => r,
        Err(_) => return Some("panicked".into()),
    };
    let after: Vec<i64> = ["members", "departments", "audit_log", "positions"]
        .iter()
        .map(|t| count(&d, t))
        .collect();
    match (&c.expect, result) {
        (Refused(code), Err(SpreadsheetError::Refused(r))) => {
            if r.code != *code {
                return Some(format!(
                    "refused {:?} ({}), expected {code}",
                    r.code, r.reason
                ));
            }
            if r.reason.trim().is_empty() {
                return Some("refused without a reason".into());
            }
            if before != after {
                return Some(format!("refused but wrote: {before:?} -> {after:?}"));
            }
        }
        (Refused(code), other) => {
            return Some(format!("expected refusal {code}, got {other:?}"));
        }
        (Imported { counts, problems }, Ok(r)) => {
            let got = [
                r.counts.create,
                r.counts.update,
                r.counts.unchanged,
                r.counts.failed,
            ];
            let failures: Vec<String> = r
                .rows
                .iter()
                .flat_map(|x| &x.problems)
                .map(|p| format!("row {} {:?}: {}", p.row, p.column, p.reason))
                .collect();
            if got != *counts {
                return Some(format!(
                    "counts {got:?}, expected {counts:?}; {failures:#?}"
                ));
            }
            for (row, col, frag) in *problems {
                let found = r.rows.iter().any(|x| {
                    x.row == *row
                        && x.problems.iter().any(|p| {
                            p.row == *row
                                && p.column.as_deref() == Some(*col)
                                && p.reason.contains(frag)
                        })
                });
                if !found {
                    return Some(format!(
                        "no problem at row {row}, {col}: {frag:?}; got {failures:#?}"
                    ));
                }
            }
            let mut failed: Vec<u32> = r
                .rows
                .iter()
                .filter(|x| !x.problems.is_empty())
                .map(|x| x.row)
                .collect();
            let mut want: Vec<u32> = problems.iter().map(|p| p.0).collect();
            failed.dedup();
            want.dedup();
            if failed != want {
                return Some(format!("failed rows {failed:?}, expected {want:?}"));
            }
            if after[0] != before[0] + i64::from(r.counts.create) {
                return Some(format!("members {} -> {}", before[0], after[0]));
            }
            if let Some(check) = c.check {
                let checked =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&d, &r)));
                if let Err(e) = checked {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    return Some(format!("check failed: {msg}"));
                }
            }
        }
        (Imported { .. }, Err(e)) => return Some(format!("expected an import, got {e:?}")),
    }
    None
}

#[test]
fn every_file_of_the_corpus_gets_its_expected_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut files: Vec<&str> = cases.iter().map(|c| c.file).collect();
    files.sort_unstable();
    files.dedup();
    assert_eq!(files.len(), cases.len(), "one file name per case");
    let mut wrong = Vec::new();
    for c in &cases {
        let started = std::time::Instant::now();
        if let Some(why) = run(c, tmp.path()) {
            wrong.push(format!("{} ({}): {why}", c.file, c.how));
        }
        let took = started.elapsed();
        if took.as_secs() >= 3 {
            eprintln!("{}: {:.1} s", c.file, took.as_secs_f64());
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// Refusals for size, checked apart: their files are large to make.
#[test]
fn files_over_the_row_and_size_limits_are_refused_and_write_nothing() {
    let (d, _) = with_org();
    let tmp = tempfile::tempdir().unwrap();
    let check = |p: &Path| match d.preview_import(
        p,
        &ImportOptions {
            create_missing_departments: false,
            mapping: None,
            ..Default::default()
        },
        &Control::none(),
    ) {
        Err(SpreadsheetError::Refused(r)) => r.code,
        other => panic!("{}: expected a refusal, got {other:?}", p.display()),
    };
    // 200,001 member rows after the header.
    let csv = tmp.path().join("rows.csv");
    let mut text = String::with_capacity(3_000_000);
    text.push_str("Name,Department\n");
    for i in 0..=200_000 {
        text.push_str(&format!("n{i},/\n"));
    }
    std::fs::write(&csv, &text).unwrap();
    assert_eq!(check(&csv), "too_many_rows");
    // The same as an xlsx (rust_xlsxwriter's constant-memory mode).
    let xl = tmp.path().join("rows.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory();
    ws.write_string(0, 0, "Name").unwrap();
    ws.write_string(0, 1, "Department").unwrap();
    for i in 1..=200_001u32 {
        ws.write_number(i, 0, f64::from(i)).unwrap();
        ws.write_string(i, 1, "/").unwrap();
    }
    wb.save(&xl).unwrap();
    assert_eq!(check(&xl), "too_many_rows");
    // Over 50 MB: refused before it is parsed.
    let big = tmp.path().join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50 * 1024 * 1024 + 1).unwrap();
    let mut f = f;
    f.write_all(b"Name,Department\n").unwrap();
    assert_eq!(check(&big), "too_large");
    assert_eq!(count(&d, "members"), 1);
}

/// The mapping step finds the same header as the import: below a title, among the first rows.
#[test]
fn the_header_below_a_title_is_found_for_mapping_too() {
    let (_tmp, p) = temp_file("hr.csv", "Staff list 2026,,\nExported 2026-03-01,,\n,,\nFull name,Dept,E-mail\nAnn Lee,Sales,ann@example.com\n");
    let info = orgdesk_core::spreadsheet::inspect_file(&p, &Control::none()).unwrap();
    assert_eq!(info.headers, ["Full name", "Dept", "E-mail"]);
    assert_eq!(info.rows, 1);
    assert_eq!(info.samples[0], ["Ann Lee", "Sales", "ann@example.com"]);
}
