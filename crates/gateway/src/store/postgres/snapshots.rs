//! Team mode's directory snapshots on PostgreSQL: the upsert keeps the later of two
//! snapshots put at once through different instances.

use async_trait::async_trait;

use super::{bound, execute, PostgresStore};
use crate::error::Result;
use crate::store::columns::StoreRow;
use crate::store::snapshots::beyond_the_log;
use crate::store::sql;
use crate::store::{Snapshot, SnapshotStore};

#[async_trait]
impl SnapshotStore for PostgresStore {
    async fn put_snapshot(&self, org_id: &str, snapshot: Snapshot, now: i64) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let org = org_id.into();
        let last = bound(sql::LAST_CHANGE_SEQ, &[org])
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.value(0))
            .transpose()?;
        beyond_the_log(snapshot.at_seq, last)?;
        let args = [
            org,
            snapshot.at_seq.into(),
            (&snapshot.content[..]).into(),
            now.into(),
        ];
        execute(&mut *tx, sql::PUT_SNAPSHOT, &args).await?;
        let kept = bound(sql::SNAPSHOT_SEQ, &[org])
            .fetch_one(&mut *tx)
            .await?
            .value(0)?;
        tx.commit().await?;
        Ok(kept)
    }

    async fn snapshot(&self, org_id: &str) -> Result<Option<Snapshot>> {
        self.optional_row(sql::SNAPSHOT, &[org_id.into()], |r| {
            Ok(Snapshot {
                at_seq: r.value(0)?,
                content: r.value(1)?,
            })
        })
        .await
    }
}
