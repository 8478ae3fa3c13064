//! Fixed-window rate limits kept in memory: per client address for form posts, per
//! organization for invitation creation, per recipient for messages sent. Per instance: several instances behind a load
//! balancer each allow the configured rate.

use std::collections::HashMap;
use std::sync::Mutex;

pub struct RateLimiter {
    limit: u32,
    window_secs: i64,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// At most `limit` requests per key in each window of `window_secs`.
    pub fn new(limit: u32, window_secs: i64) -> Self {
        Self {
            limit,
            window_secs: window_secs.max(1),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key` at `now` (Unix seconds); `false` when over the limit.
    pub fn allow(&self, key: &str, now: i64) -> bool {
        let window = now.div_euclid(self.window_secs);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 10_000 {
            // Forget finished windows so that many distinct clients cannot grow the map.
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_key_per_minute() {
        let l = RateLimiter::new(2, 60);
        assert!(l.allow("a", 60));
        assert!(l.allow("a", 61));
        assert!(!l.allow("a", 62));
        assert!(l.allow("b", 62));
        assert!(l.allow("a", 120));
    }
}
