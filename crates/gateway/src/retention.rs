//! Pruning of rows the gateway no longer needs, run every `retention.interval_secs` from
//! the outbox worker (so it stops with it): member sessions past their idle or absolute
//! limit, sign-in counters past `forget_failures_after_secs`, wrong-code counters past a
//! day, team enrollment codes once used, voided or expired. In batches of
//! `retention.batch_size` rows per table and transaction, at most [`MAX_BATCHES`] per run;
//! what is left waits for the next run. Events need no pruning: acknowledging them deletes
//! them; team mode's change log is kept whole, since a new computer reads it from the start.

use std::sync::atomic::Ordering;

use crate::store::{StaleBefore, CODE_FAILURE_MEMORY_SECS};
use crate::Shared;

/// Batches one run takes at most (per table: `MAX_BATCHES · batch_size` rows).
pub(crate) const MAX_BATCHES: u32 = 100;

/// The cut-offs at `now` under the configuration.
pub(crate) fn stale_before(state: &Shared, now: i64) -> StaleBefore {
    let s = &state.config.sign_in;
    let secs = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    StaleBefore {
        session_seen: now.saturating_sub(secs(s.session_idle_secs)),
        session_started: now.saturating_sub(secs(s.session_max_secs)),
        sign_in_failure: now.saturating_sub(secs(s.forget_failures_after_secs)),
        code_failure: now.saturating_sub(CODE_FAILURE_MEMORY_SECS),
    }
}

/// One run: batches until nothing stale is left or [`MAX_BATCHES`] were taken. Returns the
/// rows deleted.
pub(crate) async fn prune(state: &Shared) -> crate::Result<u64> {
    let limit = state.config.retention.batch_size.max(1);
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let now = state.clock.now_secs();
        let pruned = state
            .store
            .prune_stale(stale_before(state, now), now, limit)
            .await?;
        total += pruned.total();
        if !pruned.full(limit) {
            break;
        }
        // Let requests have the store between batches.
        tokio::task::yield_now().await;
    }
    state.pruned.fetch_add(total, Ordering::Relaxed);
    if total > 0 {
        tracing::info!(rows = total, "pruned ended sessions and stale counters");
    }
    Ok(total)
}
