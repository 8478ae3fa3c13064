//! Column mappings saved by name: listed, saved (replacing one of the same name) and deleted.

use orgdesk_core::spreadsheet::{ColumnMapping, SavedMapping};

use crate::commands::{Answer, Dir};

directory_commands! {
    read list_saved_mappings() -> Vec<SavedMapping> = |d| d.saved_mappings();
    /// Saves a column mapping by name (replacing one of the same name).
    act save_mapping(name: String, mapping: ColumnMapping) -> SavedMapping =
        |d, a| d.save_mapping(a, &name, &mapping);
    act delete_saved_mapping(id: i64) -> () = |d, a| d.delete_mapping(a, id);
}
