//! Import / Export: the template, import with preview, column mapping and results file, and
//! export. Files are chosen in the native dialogs (see `dialogs`) or dropped on the window.
//! Long jobs report progress through a channel and stop when the window cancels them; a
//! cancelled import has written nothing.
//!
//! This module keeps the jobs (their cancel flags, the last import, the drop channel); the
//! commands are in its submodules, one a stage: `template`, `import` (choosing, inspecting,
//! previewing and running an import, and its results file), `export`, `mappings` (saved column
//! mappings) and `drops` (files dropped on the window).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use orgdesk_core::spreadsheet::{
    ColumnMapping, Control, FileDrop, ImportReport, JobProgress, SpreadsheetError, Stage,
};
use orgdesk_core::{CommandError, ErrorCode};
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeError};
use tauri::{Runtime, State};

use crate::commands::Answer;
use crate::dialogs::Filter;
use crate::state::AppState;

pub mod drops;
pub mod export;
pub mod import;
pub mod mappings;
pub mod template;

pub use drops::on_window_event;

/// How many failures (and skipped changes) the window is sent; the results file has all.
const SHOWN_PROBLEMS: usize = 50;

const SPREADSHEETS: Filter<'static> = ("Spreadsheets", &["xlsx", "xls", "ods", "csv"]);
const XLSX: Filter<'static> = ("Excel", &["xlsx"]);
const CSV: Filter<'static> = ("CSV", &["csv"]);

/// What the import / export commands keep between calls.
#[derive(Default)]
pub struct SheetJobs {
    /// Cancel flags of running jobs, by the id the window gave them.
    running: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    /// The last preview or import, for "Download import results".
    last_import: Mutex<Option<LastImport>>,
    /// Where files dragged onto the window are reported.
    drops: Mutex<Option<Channel<FileDrop>>>,
}

struct LastImport {
    path: PathBuf,
    mapping: Option<ColumnMapping>,
    report: ImportReport,
}

/// A running job's cancel flag; unregistered when dropped.
struct Running<'a> {
    jobs: &'a SheetJobs,
    id: u32,
    cancel: Arc<AtomicBool>,
}

impl<'a> Running<'a> {
    fn start(jobs: &'a SheetJobs, id: u32) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = jobs.running.lock() {
            running.insert(id, cancel.clone());
        }
        Running { jobs, id, cancel }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.jobs.running.lock() {
            running.remove(&self.id);
        }
    }
}

fn internal(what: &str) -> CommandError {
    CommandError::new(
        ErrorCode::Internal,
        format!("{what} stopped unexpectedly. Try again."),
    )
}

/// A job the window starts (a preview, an import, an export), as its command receives it: the
/// jobs kept between calls, the id the window gave it, which `cancel_job` names, and the
/// channel its progress goes to, from the call's `job` and `onProgress` arguments.
pub struct SheetJob<'a> {
    jobs: State<'a, SheetJobs>,
    id: u32,
    progress: Channel<JobProgress>,
}

impl<'a, R: Runtime> CommandArg<'a, R> for SheetJob<'a> {
    fn from_command(command: CommandItem<'a, R>) -> Result<Self, InvokeError> {
        let argument = |key| CommandItem { key, ..command };
        Ok(Self {
            jobs: State::from_command(argument("jobs"))?,
            id: u32::from_command(argument("job"))?,
            progress: Channel::from_command(argument("onProgress"))?,
        })
    }
}

impl SheetJob<'_> {
    /// Runs `f` on the directory (on a blocking thread) as this job: `cancel_job` stops it
    /// while it runs, and its progress goes to the window.
    async fn run<T, F>(&self, state: &AppState, f: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut orgdesk_core::Directory, &Control<'_>) -> Result<T, SpreadsheetError>
            + Send
            + 'static,
    {
        let running = Running::start(&self.jobs, self.id);
        let cancel = running.cancel.clone();
        let progress = self.progress.clone();
        state
            .with_directory(move |d| {
                let report = move |stage: Stage, done: usize, total: usize| {
                    let _ = progress.send(JobProgress::new(stage, done, total));
                };
                let ctl = Control {
                    cancel: &cancel,
                    progress: &report,
                };
                Ok(f(d, &ctl))
            })
            .await?
            .map_err(CommandError::from)
    }
}

/// Stops a running job; it answers with a `cancelled` error and has written nothing.
#[tauri::command]
pub fn cancel_job(jobs: State<'_, SheetJobs>, job: u32) {
    if let Ok(running) = jobs.running.lock() {
        if let Some(flag) = running.get(&job) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests;
