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
    ]
}
