use super::*;

const INFINITE: f64 = f64::INFINITY;

/// Each table as its benchmark prints it: the header, then the rows, one a line.
#[test]
fn each_table_prints_its_columns_cells_and_verdicts() {
    let tables = [
        (
            WINDOW.header(),
            vec![
                window_row("next page", 20, 41.4, 87.6, 100.0, "ms"),
                window_row("web process resident memory", 1, 312.3, 312.3, 300.0, "MB"),
                window_row("app process resident memory", 1, 95.0, 95.0, INFINITE, "MB"),
            ],
            "\
| in the window                                        | runs |      p50 |      p95 |     target |      |
|------------------------------------------------------|------|----------|----------|------------|------|
| next page                                            |   20 |       41 |       88 |     100 ms | ok   |
| web process resident memory                          |    1 |      312 |      312 |     300 MB | OVER |
| app process resident memory                          |    1 |       95 |       95 |     inf MB | ok   |",
        ),
        (
            DIRECTORY.header(),
            vec![
                directory_row("first read after a bulk load (index build)", 1, 812.3456, 812.3456, INFINITE),
                directory_row("search, 3-character query, first 200", 200, 1.234, 4.567, 5.0),
                directory_row("batch edit of 10,000 members", 3, 950.0, 1200.5, 1000.0),
            ],
            "\
| operation                                    |   runs |    p50 ms |    p99 ms | target ms |      |
|----------------------------------------------|--------|-----------|-----------|-----------|------|
| first read after a bulk load (index build)   |      1 |    812.35 |    812.35 |         - |      |
| search, 3-character query, first 200         |    200 |      1.23 |      4.57 |       5.0 | ok   |
| batch edit of 10,000 members                 |      3 |    950.00 |   1200.50 |    1000.0 | SLOW |",
        ),
        (
            SPREADSHEET.header(),
            vec![
                spreadsheet_row("floor 10k: calamine read + rusqlite insert", 0.41, f64::NAN, INFINITE, 48.0, INFINITE),
                spreadsheet_row("import 100k new (.xlsx, searchable)", 1.83, 0.9, 2.2, 180.0, 250.0),
                spreadsheet_row("export 100k to .xlsx (constant memory)", 0.95, f64::NAN, 1.0, 91.0, 80.0),
            ],
            "\
| operation                                |        s | vs floor | target s | peak MB |  MB max |      |
|------------------------------------------|----------|----------|----------|---------|---------|------|
| floor 10k: calamine read + rusqlite insert |     0.41 |        - |        - |      48 |       - | ok   |
| import 100k new (.xlsx, searchable)      |     1.83 |    2.03x |      2.2 |     180 |     250 | ok   |
| export 100k to .xlsx (constant memory)   |     0.95 |        - |      1.0 |      91 |      80 | SLOW |",
        ),
        (
            TEAM.header(),
            vec![
                team_row("propagation, one directory to another", 50, 41.24, 87.6, "ms", 1000.0),
                team_row("10,000 changes replicated", 10_000, f64::NAN, 12.34, "s", 10.0),
                team_row("change intake, SQLite", 20_000, f64::NAN, 15234.5, "changes/s", INFINITE),
                team_row("propagation, instance A to B (PostgreSQL)", 50, 12.34, 1200.0, "ms", 1000.0),
                team_row("change intake on PostgreSQL, batches of 500", 20_000, f64::NAN, 9876.54, "changes/s", INFINITE),
            ],
            "\
| team mode, two directories and a gateway     | changes |       p50 |   p95/all |      unit |  target |      |
|----------------------------------------------|---------|-----------|-----------|-----------|---------|------|
| propagation, one directory to another        |      50 |      41.2 |      87.6 |        ms |    1000 | ok   |
| 10,000 changes replicated                    |   10000 |         - |      12.3 |         s |      10 | SLOW |
| change intake, SQLite                        |   20000 |         - |   15234.5 | changes/s |       - |      |
| propagation, instance A to B (PostgreSQL)    |      50 |      12.3 |    1200.0 |        ms |    1000 | SLOW |
| change intake on PostgreSQL, batches of 500  |   20000 |         - |    9876.5 | changes/s |       - |      |",
        ),
    ];
    for (header, rows, expected) in tables {
        assert_eq!(format!("{header}\n{}", rows.join("\n")), expected);
    }
}

#[test]
#[should_panic(expected = "one cell per figure column")]
fn a_row_needs_a_cell_for_each_figure_column() {
    WINDOW.row("next page", &["20".into()], "ok");
}

#[test]
fn percentiles_are_taken_by_nearest_rank() {
    let samples = [5.0, 1.0, 4.0, 2.0, 3.0];
    assert_eq!(percentile(&samples, 0.5), 3.0);
    assert_eq!(percentile(&samples, 0.95), 5.0);
    assert_eq!(percentile(&samples, 0.0), 1.0);
    // Of an even count, the median is the upper of the middle two.
    assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 0.5), 3.0);
    assert_eq!(percentile(&[7.0], 0.99), 7.0);
}
