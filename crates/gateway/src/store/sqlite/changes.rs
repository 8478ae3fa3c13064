//! Team mode's change log on SQLite: the one connection already orders appends; the counter
//! row keeps the numbers dense as on PostgreSQL.

use async_trait::async_trait;
use orgdesk_protocol::Change;
use rusqlite::{params, params_from_iter};

use super::{optional_pair, SqliteStore};
use crate::error::Result;
use crate::store::changes::{read_change, sent_before, with_body};
use crate::store::sql;
use crate::store::{ChangeStore, NewChanges};

#[async_trait]
impl ChangeStore for SqliteStore {
    async fn append_changes(&self, append: NewChanges, now: i64) -> Result<Vec<i64>> {
        let NewChanges { author, changes } = append;
        self.in_transaction(move |tx| {
            let mut last: i64 =
                tx.query_row(sql::TAKE_CHANGE_COUNTER, [&author.org_id], |r| r.get(0))?;
            let mut seqs = Vec::with_capacity(changes.len());
            for (i, change) in changes.iter().enumerate() {
                let sent: Option<(i64, String)> = optional_pair(
                    &tx,
                    sql::SENT_CHANGE,
                    params![author.device_id, change.change_id],
                )?;
                if let Some(sent) = sent {
                    seqs.push(sent_before(i, change, sent)?);
                    continue;
                }
                last += 1;
                let args = author.insert_args(last, change, now);
                tx.execute(sql::INSERT_CHANGE, params_from_iter(args))?;
                seqs.push(last);
            }
            tx.execute(sql::SET_CHANGE_COUNTER, params![author.org_id, last])?;
            tx.commit()?;
            Ok(seqs)
        })
        .await
    }

    async fn changes_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Change>> {
        let args = (org_id.to_owned(), after, limit);
        let rows = self
            .all_rows(sql::CHANGES_AFTER, args, |r| read_change(r))
            .await?;
        rows.into_iter().map(with_body).collect()
    }
}
