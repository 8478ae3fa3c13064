//! The event feed on PostgreSQL: reading a page, acknowledging, appending.

use async_trait::async_trait;
use orgdesk_protocol::{Event, EventKind};
use sqlx::Row;

use super::{execute, insert_event, shared, PostgresStore};
use crate::error::{GatewayError, Result};
use crate::store::sql;
use crate::store::EventStore;
use crate::store::{ORG_TOKEN_READER, READER_IDLE_SECS};

#[async_trait]
impl EventStore for PostgresStore {
    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>> {
        let rows = sqlx::query(shared(sql::EVENTS_AFTER))
            .bind(org_id)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get(0)?;
                let body: String = r.try_get(3)?;
                let kind: EventKind = serde_json::from_str(&body)
                    .map_err(|e| GatewayError::Storage(format!("event {seq}: {e}")))?;
                Ok(Event {
                    seq,
                    id: r.try_get(1)?,
                    at: r.try_get(2)?,
                    kind,
                })
            })
            .collect()
    }

    async fn ack_events(&self, org_id: &str, reader: &str, up_to: i64, now: i64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let args = [org_id.into(), reader.into(), up_to.into(), now.into()];
        execute(&mut *tx, sql::ACK_EVENTS_AS_READER, &args).await?;
        let floor: Option<i64> = sqlx::query_scalar(shared(sql::EVENTS_ACKED_BY_ALL))
            .bind(org_id)
            .bind(now - READER_IDLE_SECS)
            .bind(ORG_TOKEN_READER)
            .fetch_one(&mut *tx)
            .await?;
        let n = match floor {
            Some(floor) => {
                let args = [org_id.into(), floor.into()];
                execute(&mut *tx, sql::DELETE_EVENTS_UP_TO, &args).await?
            }
            None => 0,
        };
        tx.commit().await?;
        Ok(n)
    }

    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_event(&mut tx, org_id, &kind, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
