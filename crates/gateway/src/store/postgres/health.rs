//! [`HealthStore`] on PostgreSQL: the schema version is the newest row of
//! `gateway_schema_migrations`.

use async_trait::async_trait;

use super::{shared, PostgresStore, MIGRATIONS};
use crate::error::Result;
use crate::store::sql;
use crate::store::{HealthStore, SchemaStatus};

#[async_trait]
impl HealthStore for PostgresStore {
    async fn schema_status(&self) -> Result<SchemaStatus> {
        let applied: i32 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM gateway_schema_migrations")
                .fetch_one(&self.pool)
                .await?;
        let expected = MIGRATIONS.last().map_or(0, |(v, _)| *v);
        Ok(SchemaStatus {
            applied: i64::from(applied),
            expected: i64::from(expected),
        })
    }

    async fn outbox_depth(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(shared(sql::PENDING_MESSAGES))
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
