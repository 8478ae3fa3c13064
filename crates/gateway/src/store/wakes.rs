//! How the long-polls of every instance sharing a database hear of appends made through the
//! others: the feed appended to is announced with the append (in its transaction, so only once
//! it is committed), and each instance listens for those announcements and wakes its own
//! waiters. A store only one instance uses has nothing to hear; the long-poll's own re-read
//! stays the safety net for an announcement lost while the listener reconnects.

use async_trait::async_trait;
use tokio::sync::watch;

/// A feed whose long-polls an append wakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// The event feed (`/api/v1/events`).
    Events,
    /// Team mode's change log (`/api/v1/changes`).
    Changes,
    /// Devices revoked: their long-polls end.
    Devices,
}

impl Feed {
    pub const ALL: [Feed; 3] = [Feed::Events, Feed::Changes, Feed::Devices];

    /// The word an announcement carries.
    pub fn word(self) -> &'static str {
        match self {
            Feed::Events => "events",
            Feed::Changes => "changes",
            Feed::Devices => "devices",
        }
    }

    /// The feed an announcement names, if it is one of ours.
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.word() == word)
    }
}

/// What to do when a feed was appended to: wake its waiters.
pub type Wake = dyn Fn(Feed) + Send + Sync;

#[async_trait]
pub trait WakeStore: Send + Sync + 'static {
    /// Calls `wake` for each append any instance sharing the database announces (this one's
    /// included), and for every feed after the listener had to reconnect (announcements may
    /// have been lost meanwhile), until `stop` turns true. Returns at once on a store only one
    /// instance uses.
    async fn hear_appends(&self, wake: &Wake, stop: watch::Receiver<bool>);
}
