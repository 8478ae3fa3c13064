//! The event feed the desktop pulls: reading a page after a cursor, acknowledging, appending.

use async_trait::async_trait;
use orgdesk_protocol::{Event, EventKind};

use crate::error::Result;

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>>;
    /// Forgets the organization's events up to `up_to`; returns how many.
    async fn ack_events(&self, org_id: &str, up_to: i64) -> Result<u64>;
    /// Appends an event (for events not tied to another change).
    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()>;
}
