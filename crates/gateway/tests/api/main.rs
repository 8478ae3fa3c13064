//! The gateway's API and pages over real HTTP on 127.0.0.1:0 with the SQLite store, mail
//! written to files and a clock the tests move. The same scenarios run on PostgreSQL in the
//! `postgres` suite.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

use common::{scenarios, TestGateway};

macro_rules! sqlite_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            let (gw, clock) = TestGateway::manual().await;
            scenarios::$name(gw, clock).await;
        }
    };
}

for_each_scenario!(sqlite_test);

macro_rules! sqlite_provider_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            scenarios::$name(None).await;
        }
    };
}

for_each_provider_scenario!(sqlite_provider_test);
