fn main() {
    // Each app command gets its own permission (allow-<command>), granted one by one in
    // capabilities/default.json: the window may call exactly what the UI uses.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(orgdesk_commands())),
    )
    .expect("failed to run the Tauri build script");
}

fn orgdesk_commands() -> &'static [&'static str] {
    &[
        "app_status",
        "setup_organization",
        "sign_in",
        "sign_out",
        "org_overview",
        "rename_organization",
        "department_tree",
        "department_details",
        "create_department",
        "rename_department",
        "move_department",
        "delete_department",
        "set_department_head",
        "list_members",
        "member_details",
        "add_member",
        "add_invitee",
        "update_member",
        "set_primary_department",
        "change_member_status",
        "transfer_preview",
        "remove_member",
        "batch_update",
        "former_members",
        "list_roles",
        "create_role",
        "get_settings",
        "update_settings",
        "save_template",
        "choose_import_file",
        "inspect_import_file",
        "preview_import",
        "run_import",
        "cancel_job",
        "save_import_results",
        "export_members_file",
        "list_saved_mappings",
        "save_mapping",
        "delete_saved_mapping",
        "watch_file_drops",
    ]
}
