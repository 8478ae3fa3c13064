//! Team mode's directory snapshots on SQLite.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::error::Result;
use crate::store::snapshots::beyond_the_log;
use crate::store::sql;
use crate::store::{Snapshot, SnapshotStore};

#[async_trait]
impl SnapshotStore for SqliteStore {
    async fn put_snapshot(&self, org_id: &str, snapshot: Snapshot, now: i64) -> Result<i64> {
        let org_id = org_id.to_owned();
        self.in_transaction(move |tx| {
            let last = tx
                .query_row(sql::LAST_CHANGE_SEQ, [&org_id], |r| r.get(0))
                .optional()?;
            beyond_the_log(snapshot.at_seq, last)?;
            tx.execute(
                sql::PUT_SNAPSHOT,
                params![org_id, snapshot.at_seq, snapshot.content, now],
            )?;
            let kept = tx.query_row(sql::SNAPSHOT_SEQ, [&org_id], |r| r.get(0))?;
            tx.commit()?;
            Ok(kept)
        })
        .await
    }

    async fn snapshot(&self, org_id: &str) -> Result<Option<Snapshot>> {
        self.optional_row(sql::SNAPSHOT.into(), [org_id.to_owned()], |r| {
            Ok(Snapshot {
                at_seq: r.get(0)?,
                content: r.get(1)?,
            })
        })
        .await
    }
}
