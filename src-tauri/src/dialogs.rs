//! The native open and save dialogs. Commands ask for a path here and then read or write the
//! file themselves, so every path the app writes to was chosen by the admin in a dialog.
//!
//! A native dialog cannot be clicked through WebDriver. For the end-to-end suite, a debug build
//! started with `ORGDESK_E2E_DIALOG_DIR=DIR` answers each dialog from the first line of
//! `DIR/answers` instead (a path, or an empty line for "Cancel"; no line left is "Cancel")
//! and appends what it was asked to `DIR/asked` (`open` or `save<TAB>proposed name`). The rest
//! of the command — reading or writing the file — runs exactly as after a real dialog.
//! Release builds ignore the variable, unless built with the `scripted-dialogs` feature (the
//! window benchmark's build, never a shipped one).

use std::path::{Path, PathBuf};

use tauri::{Runtime, Window};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

/// A filter of the dialog: its label and the extensions (without dots) it shows.
pub type Filter<'a> = (&'a str, &'a [&'a str]);

/// Asks for a file to read; None when the admin cancels.
pub async fn open_file<R: Runtime>(
    window: &Window<R>,
    title: &str,
    filters: &[Filter<'_>],
) -> Option<PathBuf> {
    if let Some(dir) = scripted_dir() {
        return scripted_answer(&dir, "open");
    }
    let b = window.dialog().file().set_parent(window).set_title(title);
    ask(b, filters, FileDialogBuilder::blocking_pick_file).await
}

/// Asks where to save a file, proposing `file_name`; None when the admin cancels. A name
/// typed without an extension gets `default_ext`.
pub async fn save_file<R: Runtime>(
    window: &Window<R>,
    title: &str,
    file_name: &str,
    filters: &[Filter<'_>],
    default_ext: &str,
) -> Option<PathBuf> {
    let chosen = if let Some(dir) = scripted_dir() {
        scripted_answer(&dir, &format!("save\t{file_name}"))
    } else {
        let mut b = window
            .dialog()
            .file()
            .set_parent(window)
            .set_title(title)
            .set_file_name(file_name)
            .set_can_create_directories(true);
        if let Some(docs) = dirs::document_dir() {
            b = b.set_directory(docs);
        }
        ask(b, filters, FileDialogBuilder::blocking_save_file).await
    }?;
    Some(with_extension(chosen, default_ext))
}

/// Shows the dialog `b` with `filters` (`show` opens it and waits for the admin, on a blocking
/// thread) and answers the path chosen; None when the admin cancels.
async fn ask<R: Runtime>(
    mut b: FileDialogBuilder<R>,
    filters: &[Filter<'_>],
    show: fn(FileDialogBuilder<R>) -> Option<FilePath>,
) -> Option<PathBuf> {
    for (name, exts) in filters {
        b = b.add_filter(*name, exts);
    }
    tauri::async_runtime::spawn_blocking(move || show(b))
        .await
        .ok()
        .flatten()
        .and_then(|p| p.into_path().ok())
}

fn with_extension(p: PathBuf, ext: &str) -> PathBuf {
    if p.extension().is_some() {
        p
    } else {
        p.with_extension(ext)
    }
}

fn scripted_dir() -> Option<PathBuf> {
    if !cfg!(debug_assertions) && !cfg!(feature = "scripted-dialogs") {
        return None;
    }
    std::env::var_os("ORGDESK_E2E_DIALOG_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Records the request and pops the next answer of the queue.
fn scripted_answer(dir: &Path, request: &str) -> Option<PathBuf> {
    use std::io::Write;
    if let Ok(mut asked) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("asked"))
    {
        let _ = writeln!(asked, "{request}");
    }
    let queue = dir.join("answers");
    let text = std::fs::read_to_string(&queue).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?.trim().to_owned();
    let rest: Vec<&str> = lines.collect();
    let _ = std::fs::write(&queue, rest.join("\n"));
    (!first.is_empty()).then(|| PathBuf::from(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_answers_are_taken_in_order_and_requests_recorded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("answers"), "/tmp/a.xlsx\n\n/tmp/c.csv").unwrap();
        for (request, answer, why) in [
            ("save\tmembers.xlsx", Some("/tmp/a.xlsx"), "the first line"),
            ("open", None, "a blank line cancels"),
            ("open", Some("/tmp/c.csv"), "the third line"),
            ("open", None, "the queue is empty"),
        ] {
            assert_eq!(
                scripted_answer(dir.path(), request),
                answer.map(PathBuf::from),
                "{why}"
            );
        }
        let asked = std::fs::read_to_string(dir.path().join("asked")).unwrap();
        assert_eq!(asked, "save\tmembers.xlsx\nopen\nopen\nopen\n");
    }

    #[test]
    fn a_name_without_extension_gets_the_format_s() {
        assert_eq!(
            with_extension(PathBuf::from("/x/members"), "csv"),
            PathBuf::from("/x/members.csv")
        );
        assert_eq!(
            with_extension(PathBuf::from("/x/members.xlsx"), "csv"),
            PathBuf::from("/x/members.xlsx")
        );
    }
}
