//! Export: the members a query selects, every page, to .xlsx or .csv where the admin chooses.

use orgdesk_core::members::MemberQuery;
use orgdesk_core::spreadsheet::{self, ExportFormat, ExportOutcome, JobProgress, Lang};
use tauri::ipc::Channel;
use tauri::{Runtime, State, Window};

use super::{run_job, SheetJobs, CSV, XLSX};
use crate::commands::{Answer, Dir};
use crate::dialogs::{self, Filter};

/// Exports the members `query` selects (every page) to .xlsx or .csv, saved where the admin
/// chooses ("members-<organization>-<date>.xlsx" proposed). Null when the dialog is cancelled.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn export_members_file<R: Runtime>(
    window: Window<R>,
    state: Dir<'_>,
    jobs: State<'_, SheetJobs>,
    query: MemberQuery,
    format: ExportFormat,
    lang: Lang,
    dialog_title: String,
    job: u32,
    on_progress: Channel<JobProgress>,
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
    let members = run_job(&state, &jobs, job, on_progress, move |d, ctl| {
        d.export_members(&query, lang, &path, ctl)
    })
    .await?;
    Ok(Some(ExportOutcome {
        path: out.display().to_string(),
        members: members.min(u32::MAX as usize) as u32,
    }))
}
