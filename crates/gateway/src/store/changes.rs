//! Team mode's change log: each organization's changes, numbered 1, 2, 3 … without gaps in
//! the order the gateway took them, each with the device and account that sent it. Appends
//! take the organization's counter row in their transaction, so that they are ordered by it
//! and a reader never sees a number before every smaller one is committed.

use async_trait::async_trait;
use orgdesk_protocol::Change;

use crate::error::Result;
use crate::store::columns::StoreRow;

/// Who sends an append: the organization, the device and its account.
#[derive(Debug, Clone)]
pub struct ChangeAuthor {
    pub org_id: String,
    pub device_id: String,
    pub account_id: String,
}

/// One change to append: the device's id for it and its body as JSON text.
#[derive(Debug, Clone)]
pub struct ChangeText {
    pub change_id: String,
    pub body: String,
}

/// An append: who sends it and its changes, in order.
#[derive(Debug, Clone)]
pub struct NewChanges {
    pub author: ChangeAuthor,
    pub changes: Vec<ChangeText>,
}

#[async_trait]
pub trait ChangeStore: Send + Sync + 'static {
    /// Appends the changes of `append` in order, in one transaction; the sequence number of
    /// each. A change the device already sent (the same `change_id` and body) keeps its first
    /// number and is not appended again; the same `change_id` with another body refuses the
    /// whole request ([`sent_before`]), nothing written.
    async fn append_changes(&self, append: NewChanges, now: i64) -> Result<Vec<i64>>;
    /// The organization's changes after `after`, at most `limit`, in order.
    async fn changes_after(&self, org_id: &str, after: i64, limit: u32) -> Result<Vec<Change>>;
}

/// The number a change already sent keeps (`sent`: its number and body), or the refusal of
/// the request when the change at `index` reuses its id for another body.
pub(crate) fn sent_before(index: usize, change: &ChangeText, sent: (i64, String)) -> Result<i64> {
    let (seq, body) = sent;
    if body == change.body {
        Ok(seq)
    } else {
        Err(crate::error::GatewayError::Conflict {
            code: "change_id_reused",
            message: format!(
                "changes[{index}].change_id was sent before by this device with another body \
                 (change {seq}); a retry sends the same body, a new change a new id"
            ),
        })
    }
}

/// A stored change body read back as the JSON object it was.
pub(crate) fn parse_body(
    seq: i64,
    body: &str,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    serde_json::from_str(body)
        .map_err(|e| crate::error::GatewayError::Storage(format!("change {seq}: {e}")))
}

/// Reads a row of `sql::CHANGES_AFTER`: the change without its body, and the body's text.
pub(crate) fn read_change<R: StoreRow>(row: &R) -> Result<(Change, String), R::Error> {
    let change = Change {
        seq: row.value(0)?,
        change_id: row.value(1)?,
        device_id: row.value(2)?,
        account_id: row.value(3)?,
        at: row.value(4)?,
        body: serde_json::Map::new(),
    };
    Ok((change, row.value(5)?))
}

/// A change read back whole.
pub(crate) fn with_body((mut change, body): (Change, String)) -> Result<Change> {
    change.body = parse_body(change.seq, &body)?;
    Ok(change)
}
