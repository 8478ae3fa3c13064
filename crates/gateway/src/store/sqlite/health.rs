//! [`HealthStore`] on SQLite: the schema version is `user_version`, which the migrations count.

use async_trait::async_trait;

use super::{SqliteStore, MIGRATIONS};
use crate::error::Result;
use crate::store::sql;
use crate::store::{HealthStore, SchemaStatus};

#[async_trait]
impl HealthStore for SqliteStore {
    async fn schema_status(&self) -> Result<SchemaStatus> {
        self.with(|conn| {
            let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok(SchemaStatus {
                applied,
                expected: i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX),
            })
        })
        .await
    }

    async fn outbox_depth(&self) -> Result<u64> {
        self.with(|conn| {
            let n: i64 = conn.query_row(sql::PENDING_MESSAGES, [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }
}
