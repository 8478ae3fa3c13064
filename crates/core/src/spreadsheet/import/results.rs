//! The results file: the imported rows written again with their Result and Reason.

use std::path::Path;

use super::{HashMap, ImportReport, RowOutcome, RowResult};
use crate::spreadsheet::columns::{Lang, RESULT_EXTRA};
use crate::spreadsheet::mapping::ColumnMapping;
use crate::spreadsheet::read::{read_table, RawCell};
use crate::spreadsheet::{Control, SheetResult, SpreadsheetError};

/// Writes the rows of `source` again, with Result and Reason columns (failed rows
/// highlighted), so the admin can fix the failed rows and import the same file again (with
/// the same `mapping`, when the import had one). The file is in the report's language, as
/// its reasons are; both languages' Result and Reason columns are ignored by an import.
pub fn write_results(
    source: &Path,
    mapping: Option<&ColumnMapping>,
    report: &ImportReport,
    out: &Path,
) -> SheetResult<()> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let table = read_table(source, mapping, &Control::none())?;
    let by_row: HashMap<u32, &RowResult> = report.rows.iter().map(|r| (r.row, r)).collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let bad = Format::new().set_background_color(Color::RGB(0xFFC7CE));
    let text = Format::new().set_num_format("@");
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        SpreadsheetError::Core(crate::CoreError::Internal(format!(
            "The results file could not be written: {e}"
        )))
    };
    let ncols = table.headers.len() as u16;
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(xerr)?;
    }
    let lang = report.lang;
    let [result_head, reason_head] = RESULT_EXTRA.map(|(en, zh)| lang.pick(en, zh));
    ws.write_string_with_format(0, ncols, result_head, &bold)
        .map_err(xerr)?;
    ws.write_string_with_format(0, ncols + 1, reason_head, &bold)
        .map_err(xerr)?;
    for (i, (n, cells)) in table.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        let res = by_row.get(n);
        let failed = res.is_some_and(|x| x.outcome == RowOutcome::Failed);
        for c in 0..table.headers.len() {
            let v = cells.get(c).map(RawCell::display).unwrap_or_default();
            let fmt = if failed { &bad } else { &text };
            ws.write_string_with_format(r, c as u16, v, fmt)
                .map_err(xerr)?;
        }
        let (label, reason) = match res {
            Some(x) => (
                result_label(x.outcome, report.committed, lang),
                x.problems
                    .iter()
                    .chain(&x.skipped)
                    .chain(&x.warnings)
                    .map(|p| p.reason.as_str())
                    .collect::<Vec<_>>()
                    // Chinese sentences follow one another without a space.
                    .join(lang.pick(" ", "")),
            ),
            None => ("", String::new()),
        };
        let fmt = if failed { &bad } else { &text };
        ws.write_string_with_format(r, ncols, label, fmt)
            .map_err(xerr)?;
        ws.write_string_with_format(r, ncols + 1, reason, fmt)
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    wb.save(out).map_err(xerr)?;
    Ok(())
}

/// A row's Result in the results file: what happened, or for a preview what would.
fn result_label(outcome: RowOutcome, committed: bool, lang: Lang) -> &'static str {
    let (en, zh) = match (outcome, committed) {
        (RowOutcome::Create, true) => ("created", "已新建"),
        (RowOutcome::Create, false) => ("would be created", "将新建"),
        (RowOutcome::Update, true) => ("updated", "已更新"),
        (RowOutcome::Update, false) => ("would be updated", "将更新"),
        (RowOutcome::Unchanged, true) => ("unchanged", "无变化"),
        (RowOutcome::Unchanged, false) => ("would be unchanged", "无变化"),
        (RowOutcome::Failed, _) => ("failed", "失败"),
    };
    lang.pick(en, zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_labels_in_both_languages() {
        assert_eq!(
            result_label(RowOutcome::Create, false, Lang::En),
            "would be created"
        );
        assert_eq!(result_label(RowOutcome::Failed, false, Lang::En), "failed");
        assert_eq!(result_label(RowOutcome::Update, true, Lang::Zh), "已更新");
        assert_eq!(result_label(RowOutcome::Update, false, Lang::Zh), "将更新");
    }
}
