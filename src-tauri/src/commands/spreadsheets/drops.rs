//! Files dragged onto the window, forwarded to the import screen on the channel it gave.

use std::path::PathBuf;

use orgdesk_core::spreadsheet::{FileDrop, FileDropKind};
use tauri::ipc::Channel;
use tauri::{DragDropEvent, Runtime, State, Window, WindowEvent};

use super::{internal, SheetJobs};
use crate::commands::Answer;

/// Files dragged onto the window are reported on `on_drop` from now on (replacing an
/// earlier channel).
#[tauri::command]
pub fn watch_file_drops(jobs: State<'_, SheetJobs>, on_drop: Channel<FileDrop>) -> Answer<()> {
    let mut slot = jobs.drops.lock().map_err(|_| internal("Watching drops"))?;
    *slot = Some(on_drop);
    Ok(())
}

/// Forwards the window's drag-and-drop of files to the import screen.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    use tauri::Manager;
    let WindowEvent::DragDrop(e) = event else {
        return;
    };
    let paths = |p: &[PathBuf]| p.iter().map(|x| x.display().to_string()).collect();
    let drop = match e {
        DragDropEvent::Enter { paths: p, .. } => FileDrop {
            kind: FileDropKind::Enter,
            paths: paths(p),
        },
        DragDropEvent::Drop { paths: p, .. } => FileDrop {
            kind: FileDropKind::Drop,
            paths: paths(p),
        },
        DragDropEvent::Leave => FileDrop {
            kind: FileDropKind::Leave,
            paths: Vec::new(),
        },
        _ => return,
    };
    let jobs = window.state::<SheetJobs>();
    let channel = jobs.drops.lock().ok().and_then(|c| c.clone());
    if let Some(c) = channel {
        let _ = c.send(drop);
    }
}
