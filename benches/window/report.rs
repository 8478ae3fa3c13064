//! What is printed: percentiles of each step's samples against its target, the table, and the
//! resident memory of the app and its web process.

use std::path::Path;

fn pct(samples: &[f64], p: f64) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    s[i]
}

pub(crate) struct Table(pub(crate) Vec<(String, usize, f64, f64, String, bool)>);

impl Table {
    pub(crate) fn add(&mut self, name: &str, samples: &[f64], target: f64, unit: &str) {
        let (p50, p95) = (pct(samples, 0.5), pct(samples, 0.95));
        let ok = p95 <= target;
        self.0.push((
            name.into(),
            samples.len(),
            p50,
            p95,
            format!("{target} {unit}"),
            ok,
        ));
        println!(
            "  {name}: p50 {p50:.0} {unit}, p95 {p95:.0} {unit} ({} runs)",
            samples.len()
        );
    }

    pub(crate) fn print(&self) {
        println!(
            "\n| {:<52} | {:>4} | {:>8} | {:>8} | {:>10} | {:<4} |",
            "in the window", "runs", "p50", "p95", "target", ""
        );
        println!(
            "|{:-<54}|{:-<6}|{:-<10}|{:-<10}|{:-<12}|{:-<6}|",
            "", "", "", "", "", ""
        );
        for (name, n, p50, p95, target, ok) in &self.0 {
            println!(
                "| {name:<52} | {n:>4} | {p50:>8.0} | {p95:>8.0} | {target:>10} | {:<4} |",
                if *ok { "ok" } else { "OVER" }
            );
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
