//! End-to-end suite: the real `orgdesk` binary in a real window under Xvfb, driven through
//! tauri-driver and WebKitWebDriver. One Xvfb and one driver serve every scenario; each
//! scenario opens the app on its own database. Screenshots land in target/e2e-screens/.

mod directory;
mod handover;
mod harness;
mod invitation_batches;
mod invitations;
mod join;
mod passwords;
mod scenarios;
mod spreadsheets;
#[path = "../support/mod.rs"]
mod support;
mod team;
// The real gateway process the fault suite starts, for the team scenario.
#[path = "../faults/harness.rs"]
#[allow(dead_code)]
mod processes;

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(scenarios::run_all(&filter));
    std::process::exit(code);
}
