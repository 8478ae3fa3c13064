//! Team mode's change log on PostgreSQL, for several gateway instances on one database: an
//! append takes its organization's counter row (the upsert locks it until commit), so
//! appends of one organization run one after the other, numbers have no gaps, and a reader
//! never sees a number before every smaller one is committed. Each append is announced to
//! every instance's long-polls once committed (`wakes.rs`).

use async_trait::async_trait;
use orgdesk_protocol::Change;

use super::wakes::announce;
use super::{bound, execute, PostgresStore};
use crate::error::Result;
use crate::store::changes::{read_change, sent_before, with_body};
use crate::store::columns::StoreRow;
use crate::store::sql;
use crate::store::{ChangeStore, Feed, NewChanges};

#[async_trait]
impl ChangeStore for PostgresStore {
    async fn append_changes(&self, append: NewChanges, now: i64) -> Result<Vec<i64>> {
        let NewChanges { author, changes } = append;
        let mut tx = self.pool.begin().await?;
        let org = author.org_id.as_str().into();
        let device = author.device_id.as_str().into();
        let mut last: i64 = bound(sql::TAKE_CHANGE_COUNTER, &[org])
            .fetch_one(&mut *tx)
            .await?
            .value(0)?;
        let mut seqs = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            let change_id = change.change_id.as_str().into();
            let sent = bound(sql::SENT_CHANGE, &[device, change_id])
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = sent {
                seqs.push(sent_before(i, change, (row.value(0)?, row.value(1)?))?);
                continue;
            }
            last += 1;
            let args = author.insert_args(last, change, now);
            execute(&mut *tx, sql::INSERT_CHANGE, &args).await?;
            seqs.push(last);
        }
        execute(&mut *tx, sql::SET_CHANGE_COUNTER, &[org, last.into()]).await?;
        announce(&mut tx, Feed::Changes).await?;
        tx.commit().await?;
        Ok(seqs)
    }

    async fn changes_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Change>> {
        let args = [org_id.into(), after.into(), i64::from(limit).into()];
        let rows = bound(sql::CHANGES_AFTER, &args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| read_change(r).and_then(with_body))
            .collect()
    }
}
