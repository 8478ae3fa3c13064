//! Column mappings saved by name: listed, saved (replacing one of the same name) and deleted.

use orgdesk_core::spreadsheet::{ColumnMapping, SavedMapping};

use crate::commands::{Answer, Dir};

#[tauri::command]
pub async fn list_saved_mappings(state: Dir<'_>) -> Answer<Vec<SavedMapping>> {
    state.read(|d| d.saved_mappings()).await
}

/// Saves a column mapping by name (replacing one of the same name).
#[tauri::command]
pub async fn save_mapping(
    state: Dir<'_>,
    name: String,
    mapping: ColumnMapping,
) -> Answer<SavedMapping> {
    state
        .act(move |d, a| d.save_mapping(a, &name, &mapping))
        .await
}

#[tauri::command]
pub async fn delete_saved_mapping(state: Dir<'_>, id: i64) -> Answer<()> {
    state.act(move |d, a| d.delete_mapping(a, id)).await
}
