//! What is printed: percentiles of each step's samples against its target, the table, and the
//! resident memory of the app and its web process.

use std::path::Path;

use bench_table::{percentile, window_row, WINDOW};

/// The steps timed in the window, one line of the table each.
#[derive(Default)]
pub(crate) struct Table(Vec<String>);

impl Table {
    /// Adds a step to the table and prints its percentiles at once.
    pub(crate) fn add(&mut self, name: &str, samples: &[f64], target: f64, unit: &str) {
        let (p50, p95) = (percentile(samples, 0.5), percentile(samples, 0.95));
        self.0
            .push(window_row(name, samples.len(), p50, p95, target, unit));
        println!(
            "  {name}: p50 {p50:.0} {unit}, p95 {p95:.0} {unit} ({} runs)",
            samples.len()
        );
    }

    pub(crate) fn print(&self) {
        println!("\n{}", WINDOW.header());
        for row in &self.0 {
            println!("{row}");
        }
    }
}

/// Resident memory (MB) of the app and of its WebKit web process, found through /proc.
/// The app is the process running this build's binary: another Orgdesk on the machine (a
/// second build, an end-to-end suite) has the same name but not the same file.
pub(crate) fn resident_mb() -> (f64, f64) {
    let app_name = Path::new(crate::harness::APP)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let app_file = std::fs::canonicalize(crate::harness::APP).unwrap();
    let runs_app =
        |pid: u32| std::fs::read_link(format!("/proc/{pid}/exe")).ok() == Some(app_file.clone());
    let mut app = 0.0;
    let mut web = 0.0;
    let mut app_pids = Vec::new();
    let procs: Vec<(u32, u32, String, f64)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let field = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .map(|l| l[k.len()..].trim().to_string())
            };
            let name = field("Name:")?;
            let ppid = field("PPid:")?.parse().ok()?;
            let kb: f64 = field("VmRSS:")
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0.0);
            Some((pid, ppid, name, kb / 1024.0))
        })
        .collect();
    for (pid, _, name, mb) in &procs {
        if app_name.starts_with(name.as_str()) && runs_app(*pid) {
            app += mb;
            app_pids.push(*pid);
        }
    }
    for (_, ppid, name, mb) in &procs {
        if name.starts_with("WebKitWebProces") && app_pids.contains(ppid) {
            web += mb;
        }
    }
    (app, web)
}
