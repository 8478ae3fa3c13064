//! The SQLite store: opening, pragmas, migrations, and the [`Directory`] that owns the
//! connection the services run on.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use rusqlite::{Connection, Savepoint};
use rusqlite_migration::{Migrations, M};

use crate::clock::{Clock, SystemClock};
use crate::error::CoreResult;

/// Numbered SQL files compiled in; forward only. Append, never edit one that has shipped.
static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_directory.sql")),
        M::up(include_str!(
            "../migrations/0002_directory_search_and_former_members.sql"
        )),
        M::up(include_str!("../migrations/0003_invitations.sql")),
        M::up(include_str!("../migrations/0004_gateway_outbox.sql")),
        M::up(include_str!("../migrations/0005_join_requests.sql")),
        M::up(include_str!("../migrations/0006_saved_mappings.sql")),
        M::up(include_str!("../migrations/0007_imports.sql")),
        M::up(include_str!("../migrations/0008_gateway_accounts.sql")),
        M::up_with_hook(
            include_str!("../migrations/0009_pinyin_name_keys.sql"),
            |tx: &rusqlite::Transaction<'_>| {
                crate::member_row::rebuild_name_keys(tx)?;
                Ok(())
            },
        ),
        M::up(include_str!("../migrations/0010_must_change_password.sql")),
        M::up(include_str!("../migrations/0011_invitation_language.sql")),
        M::up(include_str!("../migrations/0012_kept_invitations.sql")),
        M::up(include_str!("../migrations/0013_team_changes.sql")),
        M::up(include_str!("../migrations/0014_team_refusal_words.sql")),
        M::up(include_str!("../migrations/0015_team_member_events.sql")),
    ])
});

/// The migrations, for tests that step through every schema version.
pub fn migrations() -> &'static Migrations<'static> {
    &MIGRATIONS
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// The directory of one organization, stored in one SQLite file.
pub struct Directory {
    pub(crate) conn: Connection,
    pub(crate) clock: Arc<dyn Clock>,
    /// The member list cache; None until first needed or after a bulk change.
    index: std::cell::RefCell<Option<crate::index::MemberIndex>>,
    /// SQLite's `data_version` when the index was built: it moves when another connection
    /// (the command line, a second window) commits, and then the index is rebuilt.
    index_data_version: std::cell::Cell<i64>,
    /// The write-ahead log being folded into the database file after a bulk change.
    checkpoint: Option<std::thread::JoinHandle<()>>,
    /// When the account mirror was last found in step: this connection's change count and
    /// SQLite's `data_version` then. While neither moved, nothing can differ, and the sender's
    /// rounds skip the comparison of every member.
    pub(crate) mirror_in_step: std::cell::Cell<Option<(u64, i64)>>,
    /// Members up to which id were last found in step with the account mirror, and when (as
    /// above): the comparison goes on from the next one while nothing but the mirror's own
    /// record of what the gateway heard has been written since.
    pub(crate) mirror_in_step_up_to: std::cell::Cell<Option<((u64, i64), i64)>>,
}

impl Directory {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> CoreResult<Self> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> CoreResult<Self> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    crate::CoreError::Internal(format!(
                        "The folder {} could not be created: {e}",
                        dir.display()
                    ))
                })?;
            }
        }
        let conn = Connection::open(path)?;
        Self::from_connection(conn, clock)
    }

    /// An in-memory directory, for tests.
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> CoreResult<Self> {
        Self::from_connection(Connection::open_in_memory()?, clock)
    }

    fn from_connection(mut conn: Connection, clock: Arc<dyn Clock>) -> CoreResult<Self> {
        configure(&conn)?;
        MIGRATIONS.to_latest(&mut conn)?;
        repair_search_text(&conn)?;
        Ok(Self {
            conn,
            clock,
            index: std::cell::RefCell::new(None),
            index_data_version: std::cell::Cell::new(0),
            checkpoint: None,
            mirror_in_step: std::cell::Cell::new(None),
            mirror_in_step_up_to: std::cell::Cell::new(None),
        })
    }

    /// Runs `write` with SQLite's automatic checkpoint off, then folds the write-ahead log
    /// into the database file on a thread of its own. A bulk change of 100,000 members
    /// leaves some 70 MB in the log: committing it is durable as it is, and copying it into
    /// the file (a seventh of a 100k import) need not keep the admin waiting. The next
    /// commit on this connection does the checkpoint itself if the thread could not.
    pub(crate) fn with_checkpoint_after<T>(
        &mut self,
        write: impl FnOnce(&mut Self) -> T,
    ) -> CoreResult<T> {
        self.finish_checkpoint();
        let every: i64 = self
            .conn
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let out = write(self);
        self.conn.pragma_update(None, "wal_autocheckpoint", every)?;
        if let Some(path) = self.conn.path().filter(|p| !p.is_empty()) {
            let path = path.to_owned();
            self.checkpoint = Some(std::thread::spawn(move || {
                // PASSIVE: copies what it can without waiting for, or blocking, anyone.
                if let Ok(conn) = Connection::open(&path) {
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            }));
        }
        Ok(out)
    }

    /// Waits for a checkpoint started by [`Self::with_checkpoint_after`].
    fn finish_checkpoint(&mut self) {
        if let Some(t) = self.checkpoint.take() {
            let _ = t.join();
        }
    }

    /// Runs `f` on the member index, building it first if needed.
    pub(crate) fn with_index<T>(
        &self,
        f: impl FnOnce(&mut crate::index::MemberIndex) -> T,
    ) -> CoreResult<T> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?;
        let mut slot = self.index.borrow_mut();
        if slot.is_none() || version != self.index_data_version.get() {
            *slot = Some(crate::index::MemberIndex::build(&self.conn)?);
            self.index_data_version.set(version);
        }
        Ok(f(slot.as_mut().expect("built above")))
    }

    /// Builds the in-memory member index now rather than on the first read that needs it
    /// (about half a second at 100,000 members): the window asks for it while the sign-in
    /// screen waits for a password, so the first page after sign-in does not pay for it.
    pub fn warm_up(&self) -> CoreResult<()> {
        self.with_index(|_| ())
    }

    /// After a change to these members: patch the index (or drop it if that fails).
    pub(crate) fn touch_members(&self, ids: &[crate::types::MemberId]) {
        let mut slot = self.index.borrow_mut();
        if let Some(idx) = slot.as_mut() {
            for id in ids {
                if idx.refresh(&self.conn, *id).is_err() {
                    *slot = None;
                    return;
                }
            }
        }
    }

    /// After a bulk change: the next read rebuilds the index.
    pub(crate) fn drop_index(&self) {
        *self.index.borrow_mut() = None;
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// How a change to the directory starts: the time now, and a transaction begun. It is a
    /// savepoint, so that a change can also run inside a larger transaction (a team change
    /// applied with its cursor, or tried and rolled back before it is queued); on its own it
    /// is a transaction like any other.
    pub(crate) fn begin(&mut self) -> CoreResult<(i64, Savepoint<'_>)> {
        let now = self.now_ms();
        Ok((now, self.conn.savepoint()?))
    }

    /// Runs `f` inside a savepoint of its own, within whatever transaction is open: what it
    /// wrote is kept when it succeeds and `keep` is true, and undone otherwise (then the
    /// member index, which `f` may have patched, is built again when next needed).
    pub(crate) fn in_savepoint<T>(
        &mut self,
        name: &str,
        keep: bool,
        f: impl FnOnce(&mut Self) -> CoreResult<T>,
    ) -> CoreResult<T> {
        self.conn.execute_batch(&format!("SAVEPOINT {name}"))?;
        let out = f(self);
        if out.is_ok() && keep {
            self.conn.execute_batch(&format!("RELEASE {name}"))?;
        } else {
            self.conn
                .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
            self.drop_index();
        }
        out
    }

    /// Runs `f` with the directory's clock standing at `at`: a change made elsewhere is
    /// written at the time its author made it, the same on every computer.
    pub(crate) fn at_time<T>(&mut self, at: i64, f: impl FnOnce(&mut Self) -> T) -> T {
        let mine = std::mem::replace(
            &mut self.clock,
            Arc::new(crate::clock::ManualClock::new(at)),
        );
        let out = f(self);
        self.clock = mine;
        out
    }

    /// Read access for reports and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Write access to the connection, for the fuzz targets: they put a template database
    /// back (SQLite's backup) between inputs, which a transaction cannot undo because the
    /// services open transactions of their own. The member index is dropped, as after a
    /// bulk change. Not for the app.
    #[doc(hidden)]
    pub fn connection_mut_for_fuzzing(&mut self) -> &mut Connection {
        self.drop_index();
        self.mirror_in_step_up_to.set(None);
        &mut self.conn
    }
}

impl Drop for Directory {
    fn drop(&mut self) {
        self.finish_checkpoint();
    }
}

/// Directories set up before the initial admin had a search text: fills in any member's that is
/// empty (a member always has a name, so an empty text is never right). Cheap when none is.
fn repair_search_text(conn: &Connection) -> CoreResult<()> {
    let ids: Vec<crate::types::MemberId> = conn
        .prepare("SELECT id FROM members WHERE search_text IS NULL OR search_text = ''")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        crate::member_row::refresh_search_text(conn, id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn file_database_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/orgdesk.db");
        let d = Directory::open(&path).unwrap();
        let mode: String = d
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = d
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        drop(d);
        // Reopening an up-to-date file applies nothing and keeps the data.
        let d = Directory::open(&path).unwrap();
        let roles: i64 = d
            .conn
            .query_row("SELECT count(*) FROM roles", [], |r| r.get(0))
            .unwrap();
        assert_eq!(roles, 3);
    }

    #[test]
    fn schema_from_empty_has_every_table() {
        let d = Directory::open_in_memory(Arc::new(SystemClock)).unwrap();
        let mut names: Vec<String> = d
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        names.retain(|n| !n.starts_with("sqlite_"));
        assert_eq!(
            names,
            [
                "audit_log",
                "departments",
                "former_members",
                "gateway_accounts",
                "gateway_outbox",
                "gateway_refusals",
                "id_floors",
                "imports",
                "invitations",
                "join_requests",
                "member_roles",
                "members",
                "organization",
                "positions",
                "roles",
                "saved_mappings",
                "settings",
                "sign_in_failures",
                "team_cursor",
                "team_member_events",
                "team_pending",
                "team_refusals"
            ]
        );
    }
}
