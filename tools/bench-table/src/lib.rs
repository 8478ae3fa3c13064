//! The tables Orgdesk's benchmarks print (`make bench`): markdown with fixed-width columns, so
//! that the figures of one run line up under those of the last. The window benchmark
//! (`benches/window`), the directory and spreadsheet benchmarks (`crates/core/benches`) and the
//! team mode benchmark (`crates/link/benches/team.rs`) each print one; its columns, how each
//! cell is written and the verdict against the targets are here, with a test of what each table
//! prints.

/// The width of the verdict column: "ok", "SLOW", "OVER" or nothing.
const VERDICT_WIDTH: usize = 4;

/// A benchmark's table: a left-aligned column naming what was timed, right-aligned figures, and
/// a left-aligned verdict without a title. A cell wider than its column is printed whole.
pub struct Table {
    /// The first column's title and width.
    pub name: (&'static str, usize),
    /// Each figure column's title and width, in order.
    pub figures: &'static [(&'static str, usize)],
}

impl Table {
    /// The title line and the separator line under it.
    pub fn header(&self) -> String {
        let titles: Vec<String> = self.figures.iter().map(|(t, _)| t.to_string()).collect();
        let widths = std::iter::once(self.name.1)
            .chain(self.figures.iter().map(|&(_, width)| width))
            .chain([VERDICT_WIDTH]);
        let separator: String = widths.map(|w| format!("|{}", "-".repeat(w + 2))).collect();
        format!("{}\n{separator}|", self.row(self.name.0, &titles, ""))
    }

    /// One line: `figures` are already written, one for each figure column.
    pub fn row(&self, name: &str, figures: &[String], verdict: &str) -> String {
        assert_eq!(
            figures.len(),
            self.figures.len(),
            "one cell per figure column"
        );
        let name_width = self.name.1;
        let cells: Vec<String> = std::iter::once(format!("{name:<name_width$}"))
            .chain(
                figures
                    .iter()
                    .zip(self.figures)
                    .map(|(figure, &(_, width))| format!("{figure:>width$}")),
            )
            .chain([format!("{verdict:<VERDICT_WIDTH$}")])
            .collect();
        format!("| {} |", cells.join(" | "))
    }
}

/// The value at fraction `p` of `samples` (0.5: the median), by nearest rank.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `value` with `decimals` decimals, or "-" when there is none (infinite or NaN: no target).
fn figure_or_dash(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "-".into()
    }
}

/// "SLOW" when `value` is over `target`, else "ok"; nothing when there is no target (infinite).
fn slow_or_ok(value: f64, target: f64) -> &'static str {
    if !target.is_finite() {
        ""
    } else if value <= target {
        "ok"
    } else {
        "SLOW"
    }
}

/// The window benchmark's table: each step, how many runs it had, their p50 and p95, and the
/// target of the p95 with its unit.
pub const WINDOW: Table = Table {
    name: ("in the window", 52),
    figures: &[("runs", 4), ("p50", 8), ("p95", 8), ("target", 10)],
};

/// A step's line in [`WINDOW`]: over when its p95 is over the target (infinite: none).
pub fn window_row(name: &str, runs: usize, p50: f64, p95: f64, target: f64, unit: &str) -> String {
    let figures = [
        runs.to_string(),
        format!("{p50:.0}"),
        format!("{p95:.0}"),
        format!("{target} {unit}"),
    ];
    WINDOW.row(name, &figures, if p95 <= target { "ok" } else { "OVER" })
}

/// The directory benchmark's table: each operation, how many runs it had, their p50 and p99 in
/// milliseconds, and the target of the p99.
pub const DIRECTORY: Table = Table {
    name: ("operation", 44),
    figures: &[("runs", 6), ("p50 ms", 9), ("p99 ms", 9), ("target ms", 9)],
};

/// An operation's line in [`DIRECTORY`]: slow when its p99 is over the target; an operation
/// without a target (infinite) has no verdict.
pub fn directory_row(name: &str, runs: usize, p50: f64, p99: f64, target_ms: f64) -> String {
    let verdict = slow_or_ok(p99, target_ms);
    let figures = [
        runs.to_string(),
        format!("{p50:.2}"),
        format!("{p99:.2}"),
        figure_or_dash(target_ms, 1),
    ];
    DIRECTORY.row(name, &figures, verdict)
}

/// The spreadsheet benchmark's table: each operation's median seconds, how many times the floor
/// (a bare read and insert of the same file) that is, the target seconds, and the peak memory
/// against its most.
pub const SPREADSHEET: Table = Table {
    name: ("operation", 40),
    figures: &[
        ("s", 8),
        ("vs floor", 8),
        ("target s", 8),
        ("peak MB", 7),
        ("MB max", 7),
    ],
};

/// An operation's line in [`SPREADSHEET`]. A NaN `floor` is none to compare with; an infinite
/// target is none to meet. Slow when it has targets and is over either of them.
pub fn spreadsheet_row(
    name: &str,
    secs: f64,
    floor: f64,
    target: f64,
    mb: f64,
    mb_target: f64,
) -> String {
    let vs_floor = if floor.is_finite() {
        format!("{:.2}x", secs / floor)
    } else {
        "-".into()
    };
    let ok = !target.is_finite() || (secs <= target && mb <= mb_target);
    let figures = [
        format!("{secs:.2}"),
        vs_floor,
        figure_or_dash(target, 1),
        format!("{mb:.0}"),
        figure_or_dash(mb_target, 0),
    ];
    SPREADSHEET.row(name, &figures, if ok { "ok" } else { "SLOW" })
}

/// The team mode benchmark's table: each figure, how many changes it covers, the median and the
/// p95 (or the one total or rate) in the row's unit, and the target.
pub const TEAM: Table = Table {
    name: ("team mode, two directories and a gateway", 44),
    figures: &[
        ("changes", 7),
        ("p50", 9),
        ("p95/all", 9),
        ("unit", 9),
        ("target", 7),
    ],
};

/// A line in [`TEAM`]: `value` is the p95, the total or the rate; a NaN `p50` is none. Slow when
/// `value` is over the target; a figure without a target (infinite) has no verdict.
pub fn team_row(
    name: &str,
    changes: usize,
    p50: f64,
    value: f64,
    unit: &str,
    target: f64,
) -> String {
    let verdict = slow_or_ok(value, target);
    let figures = [
        changes.to_string(),
        figure_or_dash(p50, 1),
        format!("{value:.1}"),
        unit.to_owned(),
        figure_or_dash(target, 0),
    ];
    TEAM.row(name, &figures, verdict)
}

#[cfg(test)]
mod tests;
