//! Export: the members a query selects, every page, to .xlsx or .csv where the admin chooses.

use orgdesk_core::members::MemberQuery;
use orgdesk_core::spreadsheet::{self, ExportFormat, ExportOutcome, Lang};
use tauri::{Runtime, Window};

use super::{SheetJob, CSV, XLSX};
use crate::commands::{Answer, Dir};
use crate::dialogs::{self, Filter};

/// Exports the members `query` selects (every page) to .xlsx or .csv, saved where the admin
/// chooses ("members-<organization>-<date>.xlsx" proposed). Null when the dialog is cancelled.
#[tauri::command]
pub async fn export_members_file<R: Runtime>(
    window: Window<R>,
    state: Dir<'_>,
    job: SheetJob<'_>,
    query: MemberQuery,
    format: ExportFormat,
    lang: Lang,
    dialog_title: String,
) -> Answer<Option<ExportOutcome>> {
    let session = state.require_session()?;
    let now = state.with_directory(|d| Ok(d.now_ms())).await?;
    let proposed = spreadsheet::export_file_name(&session.organization_name, now, format);
    let filters: &[Filter<'_>] = match format {
        ExportFormat::Xlsx => &[XLSX, CSV],
        ExportFormat::Csv => &[CSV, XLSX],
    };
    let Some(out) = dialogs::save_file(
        &window,
        &dialog_title,
        &proposed,
        filters,
        format.extension(),
    )
    .await
    else {
        return Ok(None);
    };
    let path = out.clone();
    let members = job
        .run(&state, move |d, ctl| {
            d.export_members(&query, lang, &path, ctl)
        })
        .await?;
    Ok(Some(ExportOutcome {
        path: out.display().to_string(),
        members: members.min(u32::MAX as usize) as u32,
    }))
}
