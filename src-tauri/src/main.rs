// The release build on Windows is a GUI program (no console window behind the app).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(orgdesk_app::main_entry());
}
