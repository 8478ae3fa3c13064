//! Time as the desktop and the gateway see it, passed in so that expiry, delay and backoff
//! rules are tested by moving a clock, not by sleeping. Reading the system time is the only
//! thing here that looks outside the process.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// The current time. The desktop keeps milliseconds, the gateway Unix seconds; both read the
/// same clock.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> Millis;

    /// Whole seconds since the Unix epoch, UTC (rounded down).
    fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to; for tests and for the command line's `--now`.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: Millis) -> Self {
        Self(AtomicI64::new(start_ms))
    }

    /// Starts at the real time (whole seconds), so that dates look sane.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_secs() * 1000)
    }

    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now_ms(&self) -> Millis {
        (**self).now_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_the_milliseconds_rounded_down() {
        let clock = ManualClock::new(1_790_000_000_999);
        assert_eq!(clock.now_secs(), 1_790_000_000);
        clock.advance_secs(2);
        assert_eq!(clock.now_ms(), 1_790_000_002_999);
        assert_eq!(clock.now_secs(), 1_790_000_002);
        assert_eq!(ManualClock::new(-1).now_secs(), -1);
    }

    #[test]
    fn the_manual_clock_starts_at_the_real_second() {
        let before = SystemClock.now_secs();
        let clock = ManualClock::starting_now();
        assert_eq!(clock.now_ms() % 1000, 0);
        assert!(clock.now_secs() >= before && clock.now_secs() <= SystemClock.now_secs());
    }

    #[test]
    fn a_shared_clock_reads_the_same_time() {
        let clock = std::sync::Arc::new(ManualClock::new(5_000));
        assert_eq!(Clock::now_secs(&clock), 5);
    }
}
