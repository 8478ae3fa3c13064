//! [`WakeStore`] on SQLite: one instance uses the file, and it wakes its own long-polls.

use async_trait::async_trait;
use tokio::sync::watch;

use super::SqliteStore;
use crate::store::{Wake, WakeStore};

#[async_trait]
impl WakeStore for SqliteStore {
    async fn hear_appends(&self, _wake: &Wake, _stop: watch::Receiver<bool>) {}
}
