//! The API and page scenarios of the `api` suite, on the PostgreSQL store: a throwaway
//! server from Debian's packages on a loopback port, a fresh database per scenario.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

use std::sync::Arc;

use common::postgres::PgServer;
use common::{scenarios, TestGateway};
use orgdesk_gateway::store::{GatewayStore, PostgresStore};
use orgdesk_gateway::ManualClock;

async fn gateway_on(pg: &PgServer) -> (TestGateway, Arc<ManualClock>) {
    let url = pg.database().await;
    let store: Arc<dyn GatewayStore> =
        Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
    let clock = Arc::new(ManualClock::starting_now());
    let gw = TestGateway::start_on(clock.clone(), |_, _| {}, Some(store)).await;
    (gw, clock)
}

/// One test, so that one server serves every scenario and is stopped at the end (also when a
/// scenario fails: the guard stops it while unwinding).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_scenario_passes_on_postgres() {
    let pg = PgServer::start();
    macro_rules! on_postgres {
        ($name:ident) => {{
            let (gw, clock) = gateway_on(&pg).await;
            scenarios::$name(gw, clock).await;
        }};
    }
    for_each_scenario!(on_postgres);
    macro_rules! providers_on_postgres {
        ($name:ident) => {{
            let url = pg.database().await;
            let store: Arc<dyn GatewayStore> =
                Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
            scenarios::$name(Some(store)).await;
        }};
    }
    for_each_provider_scenario!(providers_on_postgres);

    // Two stores on one database (two gateway instances): a retried create racing on both
    // still creates one invitation.
    let url = pg.database().await;
    let a = PostgresStore::connect(&url, 5).await.unwrap();
    let b = PostgresStore::connect(&url, 5).await.unwrap();
    let creds = orgdesk_gateway::create_organization(&a, "Acme", 0)
        .await
        .unwrap();
    let new = |id: &str| orgdesk_gateway::store::NewInvitation {
        invitation: orgdesk_gateway::store::Invitation {
            id: id.into(),
            org_id: creds.organization_id.clone(),
            channel: orgdesk_protocol::Channel::Link,
            recipient: "x".into(),
            invitee_name: "x".into(),
            organization_name: "x".into(),
            department_label: String::new(),
            position_label: String::new(),
            inviter_name: "x".into(),
            locale: "en".into(),
            lifetime_secs: 60,
            state: orgdesk_gateway::store::InvitationState::Pending,
            created_at: 0,
        },
        idempotency_key: "same".into(),
        request_sha256: [7; 32],
        token_hash: orgdesk_gateway::secrets::random_bytes(),
        sealed_token: vec![1, 2, 3],
        expires_at: 60,
        enqueue: false,
    };
    let (ra, rb) = tokio::join!(
        a.create_invitation(new("inv_a"), 0),
        b.create_invitation(new("inv_b"), 0)
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    let created = outcomes
        .iter()
        .filter(|o| **o == orgdesk_gateway::store::CreateOutcome::Created)
        .count();
    assert_eq!(created, 1, "{outcomes:?}");
    drop(pg);
}
