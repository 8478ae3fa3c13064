//! Organizations on PostgreSQL: creating one and keeping its API token's hash.

use async_trait::async_trait;

use super::{shared, PostgresStore};
use crate::error::{GatewayError, Result};
use crate::store::sql;
use crate::store::{NewOrganization, OrgStore};

fn hash32(bytes: Vec<u8>) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| GatewayError::Storage("a stored hash is not 32 bytes".into()))
}

#[async_trait]
impl OrgStore for PostgresStore {
    async fn create_organization(&self, org: NewOrganization<'_>, now: i64) -> Result<()> {
        sqlx::query(shared(sql::INSERT_ORGANIZATION))
            .bind(org.id)
            .bind(org.name)
            .bind(&org.api_token_hash[..])
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool> {
        let n = sqlx::query(shared(sql::SET_API_TOKEN_HASH))
            .bind(org_id)
            .bind(&api_token_hash[..])
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>> {
        let row: Option<Vec<u8>> = sqlx::query_scalar(shared(sql::API_TOKEN_HASH))
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(hash32).transpose()
    }
}
