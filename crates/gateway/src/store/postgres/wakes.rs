//! [`WakeStore`] on PostgreSQL: an append announces its feed with `pg_notify` in its own
//! transaction (PostgreSQL delivers it once the transaction commits, to every session
//! listening), and each instance listens on one connection of its own and wakes its
//! long-polls. When that connection is lost the listener connects again and wakes every feed,
//! since announcements made meanwhile are gone; while it cannot, the long-poll's re-read
//! covers.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::watch;

use super::{PostgresStore, Tx};
use crate::error::Result;
use crate::store::{Feed, Wake, WakeStore};

/// The channel every instance of one database announces and listens on.
const CHANNEL: &str = "orgdesk_feeds";

/// How long the listener waits before connecting again after a failure.
const RETRY: Duration = Duration::from_secs(1);

/// Announces, once `tx` commits, that `feed` was appended to.
pub(super) async fn announce(tx: &mut Tx<'_>, feed: Feed) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(feed.word())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What the listener heard: a feed, or that it (re)connected and may have missed some.
enum Heard {
    Feed(Feed),
    Connected,
}

/// The next thing `listener` hears, connecting it first when there is none.
async fn next(
    pool: &PgPool,
    listener: &mut Option<PgListener>,
) -> std::result::Result<Heard, sqlx::Error> {
    let Some(l) = listener else {
        let mut l = PgListener::connect_with(pool).await?;
        l.listen(CHANNEL).await?;
        *listener = Some(l);
        return Ok(Heard::Connected);
    };
    loop {
        match l.try_recv().await? {
            // The connection was lost and made again.
            None => return Ok(Heard::Connected),
            Some(n) => {
                if let Some(feed) = Feed::from_word(n.payload()) {
                    return Ok(Heard::Feed(feed));
                }
            }
        }
    }
}

#[async_trait]
impl WakeStore for PostgresStore {
    async fn hear_appends(&self, wake: &Wake, mut stop: watch::Receiver<bool>) {
        // A pool of its own: the listener keeps its connection for as long as it listens.
        let options = (*self.pool.connect_options()).clone();
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        let mut listener = None;
        while !*stop.borrow() {
            let heard = tokio::select! {
                heard = next(&pool, &mut listener) => heard,
                _ = stop.changed() => break,
            };
            match heard {
                Ok(Heard::Feed(feed)) => wake(feed),
                Ok(Heard::Connected) => Feed::ALL.into_iter().for_each(wake),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for other instances' appends failed; trying again");
                    listener = None;
                    tokio::select! {
                        _ = tokio::time::sleep(RETRY) => {}
                        _ = stop.changed() => break,
                    }
                }
            }
        }
        // The listener gives its connection back before the pool closes.
        drop(listener);
        pool.close().await;
    }
}
