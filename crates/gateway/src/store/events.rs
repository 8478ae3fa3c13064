//! The event feed the desktop pulls: reading a page after a cursor, acknowledging, appending.

use async_trait::async_trait;
use orgdesk_protocol::{Event, EventKind};

use crate::error::Result;
pub(crate) use crate::store::sql::ORG_TOKEN_READER;

/// Who holds an organization's events back until they acknowledge them: every device that is
/// not revoked (one that never acknowledged holds back every event; a revoked one none), and
/// the organization's API token while the organization has no such device or while it has
/// acknowledged within this many seconds (a computer still reading with the token beside a
/// team). So outside a team the token's acknowledgement deletes what it acknowledged, as it
/// always did, and a team's token that nobody reads with any more stops holding events back
/// 30 days after its last acknowledgement.
pub const READER_IDLE_SECS: i64 = 30 * 86_400;

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    async fn events_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Event>>;
    /// Records that `reader` (a device id, or [`ORG_TOKEN_READER`] for the organization's API
    /// token) has applied the organization's events up to `up_to`, at `now`, then forgets the
    /// events every reader holding them back has acknowledged (see [`READER_IDLE_SECS`]), in
    /// one transaction; returns how many were forgotten.
    async fn ack_events(&self, org_id: &str, reader: &str, up_to: i64, now: i64) -> Result<u64>;
    /// Appends an event (for events not tied to another change).
    async fn append_event(&self, org_id: &str, kind: EventKind, now: i64) -> Result<()>;
}
