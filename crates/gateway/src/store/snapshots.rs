//! Team mode's directory snapshots: the newest of each organization, from which a newly
//! enrolled computer starts before it reads the change log after the snapshot's position.
//! The gateway keeps the bytes as they came; the directories check them when they load them.

use async_trait::async_trait;

use crate::error::{GatewayError, Result};

/// A kept snapshot: the change log position it was taken at, and its bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub at_seq: i64,
    pub content: Vec<u8>,
}

#[async_trait]
pub trait SnapshotStore: Send + Sync + 'static {
    /// Keeps `snapshot` as the organization's unless the one kept was taken at a later
    /// position; answers the position of the one kept now. A position beyond the last change
    /// of the organization's log is refused ([`beyond_the_log`]).
    async fn put_snapshot(&self, org_id: &str, snapshot: Snapshot, now: i64) -> Result<i64>;
    /// The organization's snapshot, if one was ever kept.
    async fn snapshot(&self, org_id: &str) -> Result<Option<Snapshot>>;
}

/// Refuses a snapshot said to be taken at `at_seq` when the log's last change is `last_seq`:
/// a computer starting from it would miss the changes in between.
pub(crate) fn beyond_the_log(at_seq: i64, last_seq: Option<i64>) -> Result<()> {
    let last = last_seq.unwrap_or(0);
    if at_seq > last {
        return Err(GatewayError::InvalidRequest(format!(
            "at_seq is {at_seq}, but the change log ends at {last}"
        )));
    }
    Ok(())
}
