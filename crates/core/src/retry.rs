//! How long work for the gateway waits before its next try — invitations and the outbox as
//! well as the account mirror: 5 s, doubling at each failure, up to 15 minutes.

/// The first retry waits this long; each further one twice as long, up to [`RETRY_MAX_MS`].
const RETRY_INITIAL_MS: i64 = 5_000;
const RETRY_MAX_MS: i64 = 15 * 60 * 1000;

pub(crate) fn retry_delay_ms(attempts: u32) -> i64 {
    let shift = attempts.saturating_sub(1).min(20);
    (RETRY_INITIAL_MS << shift).min(RETRY_MAX_MS)
}
