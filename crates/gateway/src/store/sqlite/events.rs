//! The event feed on SQLite: reading a page, acknowledging, appending.

use async_trait::async_trait;
use orgdesk_protocol::{Event, EventKind};
use rusqlite::params;

use super::{insert_event, SqliteStore};
use crate::error::{GatewayError, Result};
use crate::store::sql;
use crate::store::EventStore;
use crate::store::{ORG_TOKEN_READER, READER_IDLE_SECS};

#[async_trait]
impl EventStore for SqliteStore {
    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(sql::EVENTS_AFTER)?;
            let rows = stmt.query_map(params![org_id, after, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, id, at, body) = row?;
                let kind: EventKind = serde_json::from_str(&body)
                    .map_err(|e| GatewayError::Storage(format!("event {seq}: {e}")))?;
                events.push(Event { seq, id, at, kind });
            }
            Ok(events)
        })
        .await
    }

    async fn ack_events(&self, org_id: &str, reader: &str, up_to: i64, now: i64) -> Result<u64> {
        let (org_id, reader) = (org_id.to_owned(), reader.to_owned());
        self.in_transaction(move |tx| {
            tx.execute(
                sql::ACK_EVENTS_AS_READER,
                params![org_id, reader, up_to, now],
            )?;
            let idle_since = now - READER_IDLE_SECS;
            let args = params![org_id, idle_since, ORG_TOKEN_READER];
            let floor: Option<i64> = tx.query_row(sql::EVENTS_ACKED_BY_ALL, args, |r| r.get(0))?;
            let n = match floor {
                Some(floor) => tx.execute(sql::DELETE_EVENTS_UP_TO, params![org_id, floor])?,
                None => 0,
            };
            tx.commit()?;
            Ok(n as u64)
        })
        .await
    }

    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()> {
        let org_id = org_id.to_owned();
        self.in_transaction(move |tx| {
            insert_event(&tx, &org_id, &kind, now)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
