//! Organizations on SQLite: creating one and keeping its API token's hash.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::error::Result;
use crate::store::sql;
use crate::store::{NewOrganization, OrgStore};

#[async_trait]
impl OrgStore for SqliteStore {
    async fn create_organization(&self, org: NewOrganization<'_>, now: i64) -> Result<()> {
        let (id, name, hash) = (org.id.to_owned(), org.name.to_owned(), org.api_token_hash);
        self.with(move |c| {
            c.execute(sql::INSERT_ORGANIZATION, params![id, name, hash, now])?;
            Ok(())
        })
        .await
    }

    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            Ok(c.execute(sql::SET_API_TOKEN_HASH, params![org_id, api_token_hash])? == 1)
        })
        .await
    }

    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>> {
        let org_id = org_id.to_owned();
        self.with(move |c| {
            Ok(
                c.query_row(sql::API_TOKEN_HASH, [org_id], |r| r.get::<_, [u8; 32]>(0))
                    .optional()?,
            )
        })
        .await
    }
}
