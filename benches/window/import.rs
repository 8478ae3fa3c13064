//! The import preview of a 100,000-row sheet: from the click that picks the file to its counts
//! painted. The open dialog is answered from a file (src-tauri/src/dialogs.rs), which a release
//! build does only with the `scripted-dialogs` feature; without it the line is left out.

use std::path::Path;

use thirtyfour::prelude::*;

use crate::drive::{by_id, click, picture};
use crate::harness::Harness;
use crate::probe::{arm, breakdown, measured};

pub(crate) const ROWS: usize = 100_000;

/// A sheet of new people, one per row, in the given departments in turn.
pub(crate) fn write_sheet(path: &Path, departments: &[String]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Name", "Email", "Department", "Employee ID"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..ROWS {
        let r = (i + 1) as u32;
        ws.write_string(r, 0, format!("Imported Person {i}"))
            .unwrap();
        ws.write_string(r, 1, format!("imported.{i}@bench.example"))
            .unwrap();
        ws.write_string(r, 2, &departments[i % departments.len()])
            .unwrap();
        ws.write_string(r, 3, format!("IMP{i:06}")).unwrap();
    }
    wb.save(path).unwrap();
}

/// Opens Import / Export, picks the sheet and waits for the preview's counts; the duration
/// in ms, or None when this build cannot answer its dialogs from a file.
pub(crate) async fn preview(h: &Harness, d: &WebDriver, sheet: &Path) -> Option<f64> {
    if !cfg!(feature = "scripted-dialogs") {
        println!("  import preview: not timed (run with --features scripted-dialogs, as make bench does)");
        return None;
    }
    std::fs::write(h.dialogs.join("answers"), sheet.display().to_string()).unwrap();
    click(d, &by_id(d, "nav-import-export").await).await;
    let choose = by_id(d, "sheet-choose-file").await;
    arm(
        d,
        &[(
            "[data-testid=count-create]".into(),
            "digits",
            ROWS.to_string(),
        )],
    )
    .await;
    click(d, &choose).await;
    let took = measured(d, "import preview").await;
    breakdown(d, "import preview").await;
    picture(h, d, "bench-05-import-preview").await;
    Some(took)
}
