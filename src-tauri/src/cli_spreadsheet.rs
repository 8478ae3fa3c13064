//! `orgdesk template`, `orgdesk import` and `orgdesk export`: bulk import and export through
//! spreadsheets, with the same core services as the window.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use orgdesk_core::members::{MemberQuery, StatusFilter};
use orgdesk_core::spreadsheet::{
    self, ColumnMapping, Control, ImportOptions, ImportReport, Lang, RowOutcome, RowProblem,
};
use orgdesk_core::team::ImportMade;
use orgdesk_core::{CommandError, Directory};

use crate::cli_directory::{actor, StatusArg};
use crate::cli_output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Where to save the template (.xlsx).
    pub out: PathBuf,
    /// Header language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The spreadsheet to import (.xlsx, .xls, .ods or .csv).
    pub file: PathBuf,
    /// Validate and print what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Create departments the file names that do not exist yet.
    #[arg(long)]
    pub create_departments: bool,
    /// Save every row with its Result and Reason to this .xlsx.
    #[arg(long, value_name = "OUT.xlsx")]
    pub results: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Language of the row reasons, of this summary and of the --results file.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Read the columns through the mapping saved under NAME in the window's mapping step
    /// (another system's export whose headers are not Orgdesk's).
    #[arg(long, value_name = "NAME")]
    pub mapping: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to save (.xlsx or .csv, by the extension).
    pub out: PathBuf,
    /// Only members of this department (slash-separated path).
    #[arg(long, value_name = "PATH")]
    pub dept: Option<String>,
    /// With --dept: include sub-departments.
    #[arg(long)]
    pub subtree: bool,
    #[arg(long, value_enum, default_value = "all")]
    pub status: StatusArg,
    /// Header language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
}

pub fn template(d: &Directory, a: TemplateArgs) -> Output {
    spreadsheet::write_template(d, a.lang.into(), &a.out)?;
    Ok(format!("Saved the import template to {}.", a.out.display()))
}

pub fn export(d: &Directory, a: ExportArgs) -> Output {
    let department_id = a
        .dept
        .as_deref()
        .map(|p| d.resolve_department_path(p))
        .transpose()?;
    let q = MemberQuery {
        department_id,
        include_sub_departments: a.subtree || department_id.is_none(),
        status: match a.status {
            StatusArg::All => StatusFilter::All,
            StatusArg::PendingJoin => StatusFilter::PendingJoin,
            StatusArg::Enabled => StatusFilter::Enabled,
            StatusArg::Disabled => StatusFilter::Disabled,
            StatusArg::Resigned => StatusFilter::Resigned,
        },
        ..MemberQuery::default()
    };
    let n = d.export_members(&q, a.lang.into(), &a.out, &Control::none())?;
    Ok(format!("Exported {n} members to {}.", a.out.display()))
}

/// Exit code: 0 every row succeeded, 3 some rows failed, 1 the file was refused.
pub fn import(d: &mut Directory, as_admin: Option<&str>, a: ImportArgs) -> (i32, String) {
    // On a computer in a team: the changes the import was sent as, and what to say when they
    // are not all back yet.
    let mut team: Option<(usize, Option<String>)> = None;
    let mut run = || -> Result<ImportReport, CommandError> {
        let mapping = choose_mapping(d, &a)?;
        let opts = ImportOptions {
            create_missing_departments: a.create_departments,
            mapping,
            lang: a.lang.into(),
            ..ImportOptions::default()
        };
        let report = if a.dry_run {
            let opts = opts.acting_as(d, &actor(d, as_admin)?)?;
            d.preview_import(&a.file, &opts, &Control::none())?
        } else {
            let who = actor(d, as_admin)?;
            match d.import_file(&who, &a.file, &opts, &Control::none())? {
                ImportMade::Done(report) => report,
                // In a team: sent as the changes of its parts, and applied once back.
                ImportMade::Queued {
                    mut report,
                    change_ids,
                } => {
                    let kept = crate::cli_edit::through_log(d, &change_ids)?;
                    report.committed = kept.is_none();
                    team = Some((change_ids.len(), kept));
                    report
                }
            }
        };
        if let Some(out) = &a.results {
            spreadsheet::write_results(&a.file, opts.mapping.as_ref(), &report, out)?;
        }
        Ok(report)
    };
    let report = match run() {
        Ok(r) => r,
        Err(e) => {
            let mut msg = format!("orgdesk: {}", e.message);
            for d in e.details.iter().filter(|d| d.reason != e.message) {
                msg.push_str(&format!("\n  {}", d.reason));
            }
            return (1, msg);
        }
    };
    let code = if report.all_succeeded() { 0 } else { 3 };
    if a.json {
        return (
            code,
            serde_json::to_string(&report).unwrap_or_else(|_| "{}".into()),
        );
    }
    let c = &report.counts;
    let zh = matches!(a.lang, LangArg::Zh);
    let mut out = if zh {
        format!(
            "{}：{}新建 {}，{}更新 {}，无变化 {}，失败 {}。",
            if a.dry_run {
                "预览（未写入任何内容）"
            } else {
                "已导入"
            },
            if a.dry_run { "将" } else { "" },
            c.create,
            if a.dry_run { "将" } else { "" },
            c.update,
            c.unchanged,
            c.failed
        )
    } else {
        format!(
            "{}: {} created, {} updated, {} unchanged, {} failed.",
            if a.dry_run {
                "Preview (nothing written)"
            } else {
                "Imported"
            },
            c.create,
            c.update,
            c.unchanged,
            c.failed
        )
    };
    if !report.departments_created.is_empty() {
        out.push_str(&if zh {
            format!(
                "\n{}的部门：{}",
                if a.dry_run { "将创建" } else { "已创建" },
                report.departments_created.join("、")
            )
        } else {
            format!(
                "\nDepartments {}created: {}",
                if a.dry_run { "to be " } else { "" },
                report.departments_created.join(", ")
            )
        });
    }
    match &team {
        Some((n, None)) => out.push_str(&if zh {
            format!("\n经团队变更记录导入，共 {n} 项变更。")
        } else {
            format!("\nImported through the team's change log, as {n} changes.")
        }),
        Some((n, Some(kept))) => {
            out = format!("{kept}\nThe import is {n} changes of the team's log; once back: {out}")
        }
        None => {}
    }
    if !report.ignored_columns.is_empty() {
        out.push_str(&if zh {
            format!("\n已忽略的列：{}", report.ignored_columns.join("、"))
        } else {
            format!("\nIgnored columns: {}", report.ignored_columns.join(", "))
        });
    }
    for r in report
        .rows
        .iter()
        .filter(|r| r.outcome == RowOutcome::Failed)
        .take(20)
    {
        for p in &r.problems {
            out.push_str(&row_line(p, zh));
        }
    }
    let repaired: Vec<_> = report.rows.iter().flat_map(|r| &r.warnings).collect();
    if !repaired.is_empty() {
        out.push_str(&if zh {
            format!("\n已修复的单元格（{}）：", repaired.len())
        } else {
            format!("\nRepaired cells ({}):", repaired.len())
        });
        for p in repaired.iter().take(20) {
            out.push_str(&row_line(p, zh));
        }
    }
    if c.failed > 20 || repaired.len() > 20 {
        out.push_str(if zh {
            "\n  …（每一行的结果见 --results 文件）"
        } else {
            "\n  … (see --results for every row)"
        });
    }
    if let Some(r) = &a.results {
        out.push_str(&if zh {
            format!("\n结果已保存到 {}。", r.display())
        } else {
            format!("\nResults saved to {}.", r.display())
        });
    }
    (code, out)
}

/// "  row 4 (Department): reason", or in Chinese "  第 4 行（部门）：reason".
fn row_line(p: &RowProblem, zh: bool) -> String {
    let column = p.column.as_deref();
    if zh {
        let column = column.map(|c| format!("（{c}）")).unwrap_or_default();
        format!("\n  第 {} 行{column}：{}", p.row, p.reason)
    } else {
        let column = column.map(|c| format!(" ({c})")).unwrap_or_default();
        format!("\n  row {}{column}: {}", p.row, p.reason)
    }
}

/// The mapping `orgdesk import` reads the file through, as the window would: the saved one
/// `--mapping` names; else none when the headers are Orgdesk's; else the columns another
/// system's export (Google Workspace, Microsoft 365) is known to use. A saved mapping is
/// never picked unasked: a script's import must not change because someone saved one.
fn choose_mapping(d: &Directory, a: &ImportArgs) -> Result<Option<ColumnMapping>, CommandError> {
    if let Some(name) = &a.mapping {
        return Ok(Some(d.saved_mapping_named(name)?.mapping));
    }
    let info = spreadsheet::inspect_file(&a.file, &Control::none())?;
    info.automatic_mapping().map_err(|unmapped| {
        let lang: Lang = a.lang.into();
        let fields: Vec<&str> = unmapped.iter().map(|c| c.label(lang)).collect();
        CommandError::new(
            orgdesk_core::ErrorCode::Validation,
            lang.pick(
                format!(
                    "No column of this file could be taken for {}. Map the columns in the window's Import and save the mapping, then import with --mapping NAME.",
                    fields.join(", ")
                ),
                format!(
                    "本文件中没有可用作{}的列。请在窗口的导入中映射各列并保存映射，然后用 --mapping 名称 导入。",
                    fields.join("、")
                ),
            ),
        )
    })
}
