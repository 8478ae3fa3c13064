//! A throwaway PostgreSQL server from Debian's packages, on a loopback port, in a temporary
//! folder, handing out a fresh database per scenario; stopped when dropped.

use std::sync::atomic::{AtomicU32, Ordering};

use super::loopback::PgCluster;

pub struct PgServer {
    cluster: PgCluster,
    next_db: AtomicU32,
    _dir: tempfile::TempDir,
}

impl PgServer {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self {
            cluster: PgCluster::start_in(dir.path()),
            next_db: AtomicU32::new(0),
            _dir: dir,
        }
    }

    /// A new, empty database; returns its URL.
    pub async fn database(&self) -> String {
        let name = format!("gw{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        let admin = self.cluster.url("postgres");
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connect to the test server");
        // `name` is ours (gw + a counter), not input.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        self.cluster.url(&name)
    }
}
