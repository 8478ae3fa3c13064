//! An import: the file chosen and inspected for the mapping step, the dry run, the import itself
//! (with invitations for the people it added, when asked), the quota, and the results file of the
//! last preview or import.

use std::path::PathBuf;

use orgdesk_core::spreadsheet::{
    self, Control, FileColumns, ImportOptions, ImportQuotaStatus, ImportReport, ImportSummary,
};
use orgdesk_core::team::{ChangeFate, Command, ImportMade};
use orgdesk_core::{CommandError, ErrorCode};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{Runtime, State, Window};

use super::{internal, LastImport, SheetJob, SheetJobs, SHOWN_PROBLEMS, SPREADSHEETS, XLSX};
use crate::commands::{Answer, Dir};
use crate::dialogs;

/// Asks which spreadsheet to import; null when the admin cancels.
#[tauri::command]
pub async fn choose_import_file<R: Runtime>(
    window: Window<R>,
    state: Dir<'_>,
    dialog_title: String,
) -> Answer<Option<String>> {
    state.require_session()?;
    Ok(dialogs::open_file(&window, &dialog_title, &[SPREADSHEETS])
        .await
        .map(|p| p.display().to_string()))
}

/// The file's headers, a few rows, and the columns found or suggested: for the mapping step.
#[tauri::command]
pub async fn inspect_import_file(state: Dir<'_>, path: String) -> Answer<FileColumns> {
    state.require_session()?;
    tauri::async_runtime::spawn_blocking(move || {
        spreadsheet::inspect_file(&PathBuf::from(path), &Control::none())
            .map_err(CommandError::from)
    })
    .await
    .map_err(|_| internal("Reading the file"))?
}

/// The dry run: what an import of `path` would do. Writes nothing, and does not count against
/// the import quota; but once today's imports are used up it is refused like the import, so the
/// admin does not map and preview a file that cannot be imported until tomorrow.
#[tauri::command]
pub async fn preview_import(
    state: Dir<'_>,
    job: SheetJob<'_>,
    import: ImportFile,
) -> Answer<ImportSummary> {
    let actor = state.require_session()?.actor();
    let (file, opts) = (PathBuf::from(&import.path), import.options.clone());
    let report = job
        .run(&state, move |d, ctl| {
            d.check_import_quota(&actor)?;
            d.preview_import(&file, &opts.acting_as(d, &actor)?, ctl)
        })
        .await?;
    Ok(job.remember(import, report))
}

/// Imports `path`: every valid row in one transaction. A cancel before the commit writes
/// nothing. On a computer in a team the import is sent to the team's log as the changes of
/// its parts (the summary says how many), each applied on every computer once back from it;
/// the invitations asked for are then changes of the log too, made once the parts are back.
#[tauri::command]
pub async fn run_import(
    state: Dir<'_>,
    job: SheetJob<'_>,
    import: ImportFile,
    send_invitations: Option<bool>,
) -> Answer<ImportSummary> {
    let actor = state.require_session()?.actor();
    let (file, opts) = (PathBuf::from(&import.path), import.options.clone());
    let invite = send_invitations == Some(true);
    let started = state.read(|d| Ok(d.now_ms())).await?;
    if state.link().removed() {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            crate::gateway_link::REMOVED_FROM_TEAM,
        ));
    }
    let importer = actor.clone();
    let made = job
        .run(&state, move |d, ctl| {
            d.import_file(&importer, &file, &opts, ctl)
        })
        .await?;
    let (report, change_ids) = match made {
        ImportMade::Done(report) => (report, Vec::new()),
        ImportMade::Queued { report, change_ids } => (report, change_ids),
    };
    if invite {
        invite_imported(&state, change_ids.last(), started).await?;
    } else if !change_ids.is_empty() {
        state.link().ring_team();
    }
    let mut summary = job.remember(import, report);
    summary.team_changes = u32::try_from(change_ids.len()).unwrap_or(u32::MAX);
    Ok(summary)
}

/// The people an import just added without a password get their invitation (by email when
/// they have an address, else by SMS), queued durably like any other: directly, or on a
/// computer in a team, once the import's last part (`last_part`) is back from the log, as
/// `invitation.send` changes. A part not back within the wait leaves them to be invited from
/// Invitations.
async fn invite_imported(state: &Dir<'_>, last_part: Option<&String>, started: i64) -> Answer<()> {
    if let Some(last) = last_part {
        if state.link().back_from_log(state, last).await? == ChangeFate::Waiting {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "The import was sent to the team, but its members are not back from the \
                 team's gateway yet: invite them from Invitations once they are shown.",
            ));
        }
    }
    let groups = state.read(move |d| d.new_invitees_since(started)).await?;
    for (channel, ids) in groups {
        let made = ids.clone();
        state
            .link()
            .logged(
                state,
                move |d| Command::send_invitations(d, &made, channel, None),
                move |d, a| d.invite_members_in(a, &ids, channel, None),
                |_, done| Ok(done),
            )
            .await?;
    }
    Ok(())
}

/// The signed-in admin's imports today against the quota (Settings), and when it resets.
#[tauri::command]
pub async fn import_quota_status(state: Dir<'_>) -> Answer<ImportQuotaStatus> {
    let actor = state.require_session()?.actor();
    state
        .with_directory(move |d| d.import_quota_status(&actor))
        .await
}

/// The file of a preview or an import and how to read it, from the call's `path` and
/// `options`.
pub struct ImportFile {
    path: String,
    options: ImportOptions,
}

impl<'a, R: Runtime> CommandArg<'a, R> for ImportFile {
    fn from_command(command: CommandItem<'a, R>) -> Result<Self, InvokeError> {
        let argument = |key| CommandItem { key, ..command };
        Ok(Self {
            path: String::from_command(argument("path"))?,
            options: ImportOptions::from_command(argument("options"))?,
        })
    }
}

impl SheetJob<'_> {
    /// The summary the window is sent of `report`, the preview or import of `import`, which
    /// is kept as the last one for "Download import results".
    fn remember(&self, import: ImportFile, report: ImportReport) -> ImportSummary {
        let summary = report.summary(SHOWN_PROBLEMS);
        if let Ok(mut last) = self.jobs.last_import.lock() {
            *last = Some(LastImport {
                path: PathBuf::from(import.path),
                mapping: import.options.mapping,
                report,
            });
        }
        summary
    }
}

/// "Download import results": every row of the last preview or import with its Result and
/// Reason, saved where the admin chooses. Written in the language of that import (its
/// `options.lang`, which its reasons are in). Null when the dialog is cancelled.
#[tauri::command]
pub async fn save_import_results<R: Runtime>(
    window: Window<R>,
    state: Dir<'_>,
    jobs: State<'_, SheetJobs>,
    dialog_title: String,
) -> Answer<Option<String>> {
    state.require_session()?;
    let proposed = {
        let last = jobs.last_import.lock().map_err(|_| internal("Saving"))?;
        let Some(last) = last.as_ref() else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "Import a file first; its results can then be saved.",
            ));
        };
        let stem = last
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "import".into());
        format!("{stem}-results.xlsx")
    };
    let Some(out) = dialogs::save_file(&window, &dialog_title, &proposed, &[XLSX], "xlsx").await
    else {
        return Ok(None);
    };
    let (source, mapping, report) = {
        let last = jobs.last_import.lock().map_err(|_| internal("Saving"))?;
        let last = last.as_ref().ok_or_else(|| internal("Saving"))?;
        (last.path.clone(), last.mapping.clone(), last.report.clone())
    };
    let shown = out.display().to_string();
    tauri::async_runtime::spawn_blocking(move || {
        spreadsheet::write_results(&source, mapping.as_ref(), &report, &out)
            .map_err(CommandError::from)
    })
    .await
    .map_err(|_| internal("Saving the results"))??;
    Ok(Some(shown))
}
