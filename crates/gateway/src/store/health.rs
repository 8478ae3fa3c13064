//! What `/readyz` and the metrics ask the store: can it answer, is its schema the one this
//! build expects, and how many messages wait in the outbox.

use async_trait::async_trait;

use crate::error::Result;

/// The schema a store has against the one this build applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The newest migration recorded in the database.
    pub applied: i64,
    /// The newest migration this build carries.
    pub expected: i64,
}

impl SchemaStatus {
    pub fn is_current(self) -> bool {
        self.applied == self.expected
    }
}

#[async_trait]
pub trait HealthStore: Send + Sync + 'static {
    /// Asks the database (one round trip) which migration it has reached.
    async fn schema_status(&self) -> Result<SchemaStatus>;
    /// Messages (invitations and resets) still waiting to be sent.
    async fn outbox_depth(&self) -> Result<u64>;
}
