//! The long-poll both feeds use (the event feed and team mode's change log): answer as soon
//! as there is something after the cursor, or after `wait` seconds with an empty page. It
//! wakes at once on this instance's appends and on those other instances sharing the database
//! announce (`store::WakeStore`), and re-reads every second all the same, should an
//! announcement be lost; a device revoked meanwhile is answered `unauthorized` at once, and
//! one whose account was disabled within a second.

use std::future::Future;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use orgdesk_protocol::MAX_EVENTS_WAIT_SECS;
use serde::Deserialize;
use tokio::sync::watch;

use super::Caller;
use crate::error::{GatewayError, Result};
use crate::Shared;

/// A feed's query: the cursor, the page size and how long to wait.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedQuery {
    #[serde(default)]
    pub after: i64,
    limit: Option<u32>,
    wait: Option<u64>,
}

impl FeedQuery {
    /// The query as sent, or why it is refused.
    pub(crate) fn read(query: std::result::Result<Query<Self>, QueryRejection>) -> Result<Self> {
        let Query(q) = query.map_err(|e| GatewayError::InvalidRequest(e.body_text()))?;
        Ok(q)
    }

    /// The page size: 100 unless asked, from 1 to `max`.
    pub(crate) fn limit(&self, max: u32) -> u32 {
        self.limit.unwrap_or(100).clamp(1, max)
    }

    /// The wait: none unless asked, at most `max_secs`.
    pub(crate) fn wait(&self, max_secs: u64) -> Duration {
        Duration::from_secs(self.wait.unwrap_or(0).min(max_secs))
    }
}

/// One page of a feed: what `read` finds after the query's cursor (at most `max_limit` items,
/// long-polled up to the longest wait a feed allows, see [`long_poll`]), with the cursor after
/// it (the query's own when the page is empty); `seq` is an item's sequence number.
pub(crate) async fn feed_page<T, F, Fut>(
    state: &Shared,
    caller: &Caller,
    query: std::result::Result<Query<FeedQuery>, QueryRejection>,
    bell: &watch::Sender<u64>,
    max_limit: u32,
    mut read: F,
    seq: fn(&T) -> i64,
) -> Result<(Vec<T>, i64)>
where
    F: FnMut(i64, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let q = FeedQuery::read(query)?;
    let (limit, wait) = (q.limit(max_limit), q.wait(MAX_EVENTS_WAIT_SECS));
    let items = long_poll(state, caller, bell, wait, || read(q.after, limit)).await?;
    let next_cursor = items.last().map_or(q.after, seq);
    Ok((items, next_cursor))
}

/// Reads with `read` until it finds something, `wait` passes or the gateway stops; `bell`
/// rings when an instance appends to the feed.
pub(crate) async fn long_poll<T, F, Fut>(
    state: &Shared,
    caller: &Caller,
    bell: &watch::Sender<u64>,
    wait: Duration,
    mut read: F,
) -> Result<Vec<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    let mut bell = bell.subscribe();
    let mut revoked = state.devices_bell.subscribe();
    let mut shutdown = state.shutdown.clone();
    let mut first = true;
    loop {
        // Mark the bells seen before reading, so an append (or a revocation) after the read
        // still wakes us.
        bell.borrow_and_update();
        revoked.borrow_and_update();
        if !first {
            caller.still_allowed(state).await?;
        }
        first = false;
        let items = read().await?;
        let now = tokio::time::Instant::now();
        if !items.is_empty() || now >= deadline || *shutdown.borrow() {
            return Ok(items);
        }
        let nap = (deadline - now).min(Duration::from_secs(1));
        tokio::select! {
            _ = bell.changed() => {}
            _ = revoked.changed() => {}
            _ = tokio::time::sleep(nap) => {}
            _ = shutdown.changed() => {}
        }
    }
}
