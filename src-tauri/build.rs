//! The app's commands are listed once, in src-tauri/commands.txt. From that list this script
//! gives each command its own permission (allow-<command>, granted one by one in
//! capabilities/default.json: the window may call exactly what the UI uses) and writes the
//! invoke handler that src-tauri/src/commands/mod.rs includes.

use std::path::Path;

const LIST: &str = "src-tauri/commands.txt";

fn main() {
    println!("cargo:rerun-if-changed={LIST}");
    let list = std::fs::read_to_string(LIST).expect("src-tauri/commands.txt is readable");
    let paths: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let names: Vec<&'static str> = paths
        .iter()
        .map(|p| &*p.rsplit("::").next().unwrap_or(p).to_owned().leak())
        .collect();
    let handler = format!(
        "tauri::generate_handler![\n{}]\n",
        paths
            .iter()
            .map(|p| format!("    crate::commands::{p},\n"))
            .collect::<String>()
    );
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("handler.rs"), handler).expect("OUT_DIR is writable");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(names.leak())),
    )
    .expect("failed to run the Tauri build script");
}
