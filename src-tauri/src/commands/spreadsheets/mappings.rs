//! Column mappings saved by name: listed, saved (replacing one of the same name) and deleted.

use orgdesk_core::spreadsheet::{ColumnMapping, SavedMapping};
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_saved_mappings(
    state: State<'_, AppState>,
) -> Result<Vec<SavedMapping>, CommandError> {
    state.read(|d| d.saved_mappings()).await
}

/// Saves a column mapping by name (replacing one of the same name).
#[tauri::command]
pub async fn save_mapping(
    state: State<'_, AppState>,
    name: String,
    mapping: ColumnMapping,
) -> Result<SavedMapping, CommandError> {
    state
        .act(move |d, a| d.save_mapping(a, &name, &mapping))
        .await
}

#[tauri::command]
pub async fn delete_saved_mapping(state: State<'_, AppState>, id: i64) -> Result<(), CommandError> {
    state.act(move |d, a| d.delete_mapping(a, id)).await
}
