//! CSV: the text's encoding (UTF-8, GB18030, or UTF-16 with a byte order mark) and delimiter
//! told from its bytes, then its records read through the csv crate.

use super::{refuse, Grid, RawCell};
use crate::spreadsheet::{Control, SheetResult, MAX_ROWS};

pub(super) fn read_csv(bytes: &[u8], ctl: &Control<'_>) -> SheetResult<Grid> {
    let not_text = || {
        refuse(
            "not_spreadsheet",
            "The file is not a spreadsheet: choose an .xlsx, .xls, .ods or .csv file.",
        )
    };
    let not_utf8 = || {
        refuse(
            "not_utf8",
            "The CSV file is not UTF-8 (it may be in a legacy encoding other than GBK). Save it as \"CSV UTF-8\" and import it again.",
        )
    };
    let text: std::borrow::Cow<'_, str> = match encoding_rs::Encoding::for_bom(bytes) {
        // Excel's "Unicode Text" is UTF-16 with a byte order mark.
        Some((enc, bom)) if enc != encoding_rs::UTF_8 => {
            match enc.decode_without_bom_handling_and_without_replacement(&bytes[bom..]) {
                Some(t) if !t.contains('\0') => t,
                Some(_) => return not_text(),
                None => return not_utf8(),
            }
        }
        _ => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            if body.contains(&0) {
                return not_text();
            }
            match std::str::from_utf8(body) {
                Ok(t) => t.into(),
                // Excel in a Chinese locale saves "CSV (Comma delimited)" in GBK: read it as
                // GB18030 (a superset) when every byte decodes, with no replacement needed.
                Err(_) => {
                    match encoding_rs::GB18030
                        .decode_without_bom_handling_and_without_replacement(body)
                    {
                        Some(t) => t,
                        None => return not_utf8(),
                    }
                }
            }
        }
    };
    let text = text.as_ref();
    let delimiter = sniff_delimiter(text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut line = 0u32;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                line += 1;
                grid.push((
                    line,
                    record
                        .iter()
                        .map(|c| RawCell::Text(crate::spreadsheet::csv_unsafe(c).to_owned()))
                        .collect(),
                ));
                // Stop early on a huge file: the refusal comes from build_table.
                if grid.len() > MAX_ROWS + 2 {
                    break;
                }
                if line % 10_000 == 0 {
                    ctl.check()?;
                }
            }
            Err(e) => {
                return refuse(
                    "corrupt",
                    format!("The CSV file could not be read near line {}: {e}", line + 1),
                )
            }
        }
    }
    Ok(grid)
}

/// The delimiter among `,` `;` and tab that the header line (outside quotes) uses most.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|i| (counts[*i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("Name,Department\n"), b',');
        assert_eq!(sniff_delimiter("Name;Department;Email\n"), b';');
        assert_eq!(sniff_delimiter("Name\tDepartment\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b,c\";Department\n"), b';');
    }
}
