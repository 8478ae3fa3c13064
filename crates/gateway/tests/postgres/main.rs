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

    usernames_are_taken_once_across_instances(&a, &b, &creds.organization_id).await;
    drop(pg);
}

/// Two instances racing for one username — two join requests, or a join request and a
/// registration through an invitation — never both get it.
async fn usernames_are_taken_once_across_instances(
    a: &PostgresStore,
    b: &PostgresStore,
    org_id: &str,
) {
    use orgdesk_gateway::secrets::random_bytes;
    use orgdesk_gateway::store::{
        ConsumeOutcome, JoinSecret, JoinSecrets, JoinStore, JoinSubmitOutcome, NewJoinRequest,
    };

    let link_hash: [u8; 32] = random_bytes();
    let written = a
        .put_join_link(
            org_id,
            orgdesk_protocol::JoinLinkRules {
                organization_name: "Acme".into(),
                approval_required: true,
                required_fields: vec![],
                expires_at: None,
            },
            JoinSecrets {
                token_sha256: link_hash,
                sealed_token: vec![1],
                code_hash: random_bytes(),
                sealed_code: vec![2],
            },
            0,
        )
        .await
        .unwrap();
    assert!(matches!(
        written,
        orgdesk_gateway::store::JoinLinkWrite::Written(_)
    ));
    let request = |id: String, username: &str| NewJoinRequest {
        id,
        secret: JoinSecret::Link(link_hash),
        name: "Someone".into(),
        email: None,
        mobile: None,
        employee_id: None,
        work_location: None,
        username: username.into(),
        password_hash: "$argon2id$x".into(),
        status_token_sha256: random_bytes(),
    };
    for round in 0..10 {
        // Two requests for one username (different case) on two instances.
        let name = format!("racer{round}");
        let (ra, rb) = tokio::join!(
            a.submit_join_request(request(format!("jr_a{round}"), &name), 1),
            b.submit_join_request(request(format!("jr_b{round}"), &name.to_uppercase()), 1)
        );
        let outcomes = [ra.unwrap(), rb.unwrap()];
        let done = outcomes
            .iter()
            .filter(|o| matches!(o, JoinSubmitOutcome::Done { .. }))
            .count();
        assert_eq!(done, 1, "{outcomes:?}");

        // A join request and a registration through an invitation for one username.
        let name = format!("both{round}");
        let token_hash: [u8; 32] = random_bytes();
        let inv_id = format!("inv_race{round}");
        let new = orgdesk_gateway::store::NewInvitation {
            invitation: orgdesk_gateway::store::Invitation {
                id: inv_id.clone(),
                org_id: org_id.into(),
                channel: orgdesk_protocol::Channel::Link,
                recipient: "x".into(),
                invitee_name: "x".into(),
                organization_name: "x".into(),
                department_label: String::new(),
                position_label: String::new(),
                inviter_name: "x".into(),
                locale: "en".into(),
                lifetime_secs: 600,
                state: orgdesk_gateway::store::InvitationState::Pending,
                created_at: 0,
            },
            idempotency_key: inv_id.clone(),
            request_sha256: random_bytes(),
            token_hash,
            sealed_token: vec![1, 2, 3],
            expires_at: 600,
            enqueue: false,
        };
        a.create_invitation(new, 0).await.unwrap();
        let (joined, registered) = tokio::join!(
            a.submit_join_request(request(format!("jr_c{round}"), &name), 1),
            b.register(token_hash, &name, "$argon2id$y", 1)
        );
        let joined = matches!(joined.unwrap(), JoinSubmitOutcome::Done { .. });
        let registered = matches!(registered.unwrap(), ConsumeOutcome::Done { .. });
        assert!(
            joined != registered,
            "joined {joined}, registered {registered}"
        );
    }
}
