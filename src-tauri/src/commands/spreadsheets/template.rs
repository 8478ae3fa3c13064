//! "Download template": the import template written in the admin's language where they choose.

use orgdesk_core::spreadsheet::{self, Lang};
use orgdesk_core::CommandError;
use tauri::{Runtime, Window};

use super::XLSX;
use crate::commands::{Answer, Dir};
use crate::dialogs;

/// "Download template": asks where to save it, then writes it in `lang`. Returns the path,
/// or null when the admin cancels the dialog.
#[tauri::command]
pub async fn save_template<R: Runtime>(
    window: Window<R>,
    state: Dir<'_>,
    lang: Lang,
    dialog_title: String,
) -> Answer<Option<String>> {
    state.require_session()?;
    let name = match lang {
        Lang::En => "orgdesk-import-template.xlsx",
        Lang::Zh => "成员导入模板.xlsx",
    };
    let Some(path) = dialogs::save_file(&window, &dialog_title, name, &[XLSX], "xlsx").await else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    state
        .with_directory(move |d| {
            Ok(spreadsheet::write_template(d, lang, &path).map_err(CommandError::from))
        })
        .await??;
    Ok(Some(shown))
}
