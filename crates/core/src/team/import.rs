//! An import made on a computer in a team: the file's rows as parts of the log, queued
//! together (see `crate::spreadsheet`'s `carried.rs` for what a part carries and how every
//! computer applies it).

use std::path::Path;

use super::Command;
use crate::audit::Actor;
use crate::error::CoreError;
use crate::spreadsheet::{
    Control, ImportOptions, ImportReport, SheetResult, SpreadsheetError, Stage,
};
use crate::store::Directory;

/// An import made through [`Directory::import_file`].
#[derive(Debug)]
pub enum ImportMade {
    /// Written here: this computer is in no team.
    Done(ImportReport),
    /// Queued for the team's log as the changes `change_ids`, one a part, in order; the
    /// report says what they do as the file was checked here (nothing is written yet).
    Queued {
        report: ImportReport,
        change_ids: Vec<String>,
    },
}

impl Directory {
    /// Imports `path` as `actor`: directly, or on a computer in a team as the changes of
    /// its parts ([`Directory::import_parts`]), each tried against the directory as it
    /// stands and queued, all of them or none.
    pub fn import_file(
        &mut self,
        actor: &Actor,
        path: &Path,
        opts: &ImportOptions,
        ctl: &Control<'_>,
    ) -> SheetResult<ImportMade> {
        if self.team_device_account()?.is_none() {
            return self
                .import_members(actor, path, opts, ctl)
                .map(ImportMade::Done);
        }
        let (report, parts) = self.import_parts(actor, path, opts, ctl)?;
        let total = parts.len();
        let mut cancelled = false;
        let queued = self.in_savepoint("team_import", true, |d| {
            let mut change_ids = Vec::with_capacity(total);
            for (i, part) in parts.into_iter().enumerate() {
                if ctl.check().is_err() {
                    cancelled = true;
                    return Err(CoreError::Conflict("The import was cancelled.".into()));
                }
                change_ids.push(d.queue_command(actor, Command::Import(part))?);
                ctl.report(Stage::Commit, i + 1, total);
            }
            Ok(change_ids)
        });
        match queued {
            Err(_) if cancelled => Err(SpreadsheetError::Cancelled),
            queued => Ok(ImportMade::Queued {
                report,
                change_ids: queued?,
            }),
        }
    }
}
