//! Organizations: registering one and the hash of its API token.

use async_trait::async_trait;

use crate::error::Result;

/// An organization to register: its id, its name and the hash of its API token.
#[derive(Debug, Clone, Copy)]
pub struct NewOrganization<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub api_token_hash: [u8; 32],
}

#[async_trait]
pub trait OrgStore: Send + Sync + 'static {
    async fn create_organization(&self, org: NewOrganization<'_>, now: i64) -> Result<()>;
    /// Replaces the organization's API token hash; `false` when there is no such organization.
    async fn set_api_token_hash(&self, org_id: &str, api_token_hash: [u8; 32]) -> Result<bool>;
    async fn api_token_hash(&self, org_id: &str) -> Result<Option<[u8; 32]>>;
}
