//! The API and page scenarios of the `api` suite, on the PostgreSQL store: a throwaway
//! server from Debian's packages on a loopback port, a fresh database per scenario.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

use std::sync::Arc;

use common::postgres::PgServer;
use common::{scenarios, TestGateway};
use orgdesk_gateway::store::{AccountStore, GatewayStore, PostgresStore};
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

    // Password resets on two instances: a retried request racing on both creates one reset,
    // and the link racing to be used is used once.
    let mut member = new("inv_member");
    member.idempotency_key = "member".into();
    let invitation_token = member.token_hash;
    a.create_invitation(member, 0).await.unwrap();
    let registered = a
        .register(invitation_token, "li.wei", "$argon2id$v=19$old", 1)
        .await
        .unwrap();
    assert!(matches!(
        registered,
        orgdesk_gateway::store::ConsumeOutcome::Done { .. }
    ));
    let reset_token: [u8; 32] = orgdesk_gateway::secrets::random_bytes();
    let reset = |id: &str| orgdesk_gateway::store::NewPasswordReset {
        id: id.into(),
        org_id: creds.organization_id.clone(),
        username_key: "li.wei".into(),
        channel: orgdesk_protocol::Channel::Link,
        recipient: "Li Wei".into(),
        organization_name: "Acme".into(),
        locale: "en".into(),
        idempotency_key: "reset".into(),
        request_sha256: [9; 32],
        token_hash: reset_token,
        sealed_token: vec![4, 5, 6],
        expires_at: 600,
        enqueue: false,
    };
    let (ra, rb) = tokio::join!(
        a.create_password_reset(reset("rst_a"), 2),
        b.create_password_reset(reset("rst_b"), 2)
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == orgdesk_gateway::store::ResetOutcome::Created)
            .count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, orgdesk_gateway::store::ResetOutcome::Replayed { .. })),
        "{outcomes:?}"
    );
    let (ca, cb) = tokio::join!(
        a.consume_reset(reset_token, "$argon2id$v=19$a", 3),
        b.consume_reset(reset_token, "$argon2id$v=19$b", 3)
    );
    let used: Vec<_> = [ca.unwrap(), cb.unwrap()].into_iter().flatten().collect();
    assert_eq!(used, ["li.wei"]);
    let changed = a
        .events_after(&creds.organization_id, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.kind, orgdesk_protocol::EventKind::PasswordChanged { .. }))
        .count();
    assert_eq!(changed, 1);
    drop(pg);
}
