//! The API and page scenarios of the `api` suite, on the PostgreSQL store: a throwaway
//! server from Debian's packages on a loopback port, a fresh database per scenario.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;
mod team;

use std::sync::Arc;

use common::guard_scenarios::new_invitation;
use common::postgres::PgServer;
use common::{scenarios, TestGateway};
use orgdesk_gateway::store::{
    EventStore, GatewayStore, InvitationStore, InviteeAccount, PostgresStore, Registration,
    ResetConsumption, ResetStore,
};
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
            scenarios::$name(&gw, clock).await;
            gw.stop().await;
        }};
    }
    for_each_scenario!(on_postgres);
    for_each_identity_scenario!(on_postgres);
    for_each_guard_scenario!(on_postgres);
    for_each_team_scenario!(on_postgres);
    macro_rules! providers_on_postgres {
        ($name:ident) => {{
            let url = pg.database().await;
            let store: Arc<dyn GatewayStore> =
                Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
            scenarios::$name(Some(store)).await;
        }};
    }
    for_each_provider_scenario!(providers_on_postgres);
    let url = pg.database().await;
    let store: Arc<dyn GatewayStore> =
        Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
    common::probes::probes_and_metrics_answer(Some(store)).await;

    // Two stores on one database (two gateway instances): a retried create racing on both
    // still creates one invitation.
    let url = pg.database().await;
    let a = PostgresStore::connect(&url, 5).await.unwrap();
    let b = PostgresStore::connect(&url, 5).await.unwrap();
    let creds = orgdesk_gateway::create_organization(&a, "Acme", 0)
        .await
        .unwrap();
    // One request retried: the same key and the same body on both instances.
    let new = |id: &str| {
        let mut new = new_invitation(&creds.organization_id, id, 0, 60);
        new.idempotency_key = "same".into();
        new.request_sha256 = [7; 32];
        new
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
    let invitation_token = member.link.token_hash;
    a.create_invitation(member, 0).await.unwrap();
    let registered = a
        .register(
            Registration {
                token_hash: invitation_token,
                account: InviteeAccount::new_account("li.wei", "$argon2id$v=19$old"),
            },
            1,
        )
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
        link: orgdesk_gateway::store::NewLink {
            token_hash: reset_token,
            sealed_token: vec![4, 5, 6],
            expires_at: 600,
            enqueue: false,
        },
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
            .any(|o| matches!(o, orgdesk_gateway::store::ResetOutcome::Replayed(_))),
        "{outcomes:?}"
    );
    let consumption = |password_hash: &str| ResetConsumption {
        token_hash: reset_token,
        password_hash: password_hash.into(),
    };
    let (ca, cb) = tokio::join!(
        a.consume_reset(consumption("$argon2id$v=19$a"), 3),
        b.consume_reset(consumption("$argon2id$v=19$b"), 3)
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
    usernames_are_taken_once_across_instances(&a, &b, &creds.organization_id).await;
    let url = pg.database().await;
    let store: Arc<dyn GatewayStore> =
        Arc::new(PostgresStore::connect(&url, 5).await.expect("store"));
    common::join_scenarios::join_decisions_are_mailed(Some(store)).await;
    the_join_schema_applies_over_a_database_from_the_first_one(&pg).await;
    the_identity_schema_gives_existing_accounts_and_requests_ids(&pg).await;
    team::two_instances_share_one_change_log(&pg).await;
    drop(pg);
}

/// A database of the join schema with accounts and join requests takes the identity schema:
/// every account and request gets a random account id, an approved request the id of the
/// account it made, and existing accounts count as registered ones.
async fn the_identity_schema_gives_existing_accounts_and_requests_ids(pg: &PgServer) {
    let (url, pool) = old_database(
        pg,
        &[
            include_str!("../../migrations/postgres/0001_initial.sql"),
            include_str!("../../migrations/postgres/0003_accounts.sql"),
            include_str!("../../migrations/postgres/0004_join.sql"),
        ],
        &[1, 3, 4],
    )
    .await;
    sqlx::raw_sql(
        "INSERT INTO accounts (org_id, username_key, username, password_hash, invitation_id,
            created_at)
         VALUES ('org_1', 'ann', 'Ann', 'h', 'inv_1', 0);
         INSERT INTO join_requests (id, org_id, via, organization_name, name, username_key,
            username, password_hash, state, status_token_sha256, created_at)
         VALUES ('jr_1', 'org_1', 'code', 'Acme', 'Bo', 'bob', 'Bob', 'h', 'approved',
            '\\x01', 0),
                ('jr_2', 'org_1', 'link', 'Acme', 'Cy', 'cy.x', 'Cy.X', 'h', 'pending',
            '\\x02', 0);
         INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
            join_request_id)
         VALUES ('org_1', 'bob', 'Bob', 'h', 0, 'jr_1');",
    )
    .execute(&pool)
    .await
    .unwrap();
    let _store = PostgresStore::connect(&url, 2).await.unwrap();
    let accounts: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT username_key, account_id, origin FROM accounts ORDER BY username_key",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let requests: Vec<String> =
        sqlx::query_scalar("SELECT account_id FROM join_requests ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    common::identity_migration::assert_identities_given(&accounts, &requests);
    assert_eq!(schema_version(&pool).await, 14);
    pool.close().await;
}

/// A database made by the first schema, with data in it, takes the join schema when a newer
/// gateway connects: the data stays and the new rules hold.
async fn the_join_schema_applies_over_a_database_from_the_first_one(pg: &PgServer) {
    let (url, pool) = old_database(
        pg,
        &[include_str!("../../migrations/postgres/0001_initial.sql")],
        &[1],
    )
    .await;
    sqlx::raw_sql("INSERT INTO accounts VALUES ('org_1', 'ann', 'Ann', 'h', 'inv_1', 0);")
        .execute(&pool)
        .await
        .unwrap();
    let store = PostgresStore::connect(&url, 2).await.unwrap();
    let (username, via_join): (String, Option<String>) =
        sqlx::query_as("SELECT username, join_request_id FROM accounts WHERE username_key = 'ann'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((username.as_str(), via_join), ("Ann", None));
    assert_eq!(schema_version(&pool).await, 14);
    // The old account's username is taken for join requests too.
    use orgdesk_gateway::store::{JoinStore, JoinSubmitOutcome};
    let link_hash = open_join_link(&store, "org_1", false, 1).await;
    let outcome = store
        .submit_join_request(
            join_request("jr_1".into(), "Ann Again", "ANN", link_hash),
            1,
        )
        .await
        .unwrap();
    assert_eq!(outcome, JoinSubmitOutcome::UsernameTaken);
    pool.close().await;
}

/// Two instances racing for one username — two join requests, or a join request and a
/// registration through an invitation — never both get it.
async fn usernames_are_taken_once_across_instances(
    a: &PostgresStore,
    b: &PostgresStore,
    org_id: &str,
) {
    use orgdesk_gateway::store::{ConsumeOutcome, JoinStore, JoinSubmitOutcome};

    let link_hash = open_join_link(a, org_id, true, 0).await;
    let request = |id: String, username: &str| join_request(id, "Someone", username, link_hash);
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
        let new = new_invitation(org_id, &format!("inv_race{round}"), 0, 600);
        let token_hash = new.link.token_hash;
        a.create_invitation(new, 0).await.unwrap();
        let (joined, registered) = tokio::join!(
            a.submit_join_request(request(format!("jr_c{round}"), &name), 1),
            b.register(
                Registration {
                    token_hash,
                    account: InviteeAccount::new_account(&name, "$argon2id$y"),
                },
                1
            )
        );
        let joined = matches!(joined.unwrap(), JoinSubmitOutcome::Done { .. });
        let registered = matches!(registered.unwrap(), ConsumeOutcome::Done { .. });
        assert!(
            joined != registered,
            "joined {joined}, registered {registered}"
        );
    }
}

/// A new database left at an older schema: `migrations` applied and their `versions`
/// recorded, holding the organization org_1 ("Acme") and its email invitation inv_1.
/// Returns its URL and a pool on it.
async fn old_database(
    pg: &PgServer,
    migrations: &[&'static str],
    versions: &[i32],
) -> (String, sqlx::PgPool) {
    let url = pg.database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for sql in migrations {
        sqlx::raw_sql(*sql).execute(&pool).await.unwrap();
    }
    let recorded: Vec<String> = versions.iter().map(|v| format!("({v})")).collect();
    let sql = format!(
        "CREATE TABLE gateway_schema_migrations (
            version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
         INSERT INTO gateway_schema_migrations (version) VALUES {};
         INSERT INTO organizations VALUES ('org_1', 'Acme', '\\x00', 0);
         INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
            organization_name, department_label, position_label, inviter_name, locale,
            lifetime_secs, created_at)
         VALUES ('inv_1', 'org_1', 'email', 'a@example.org', 'A', 'Acme', '', '', 'Ann', 'en',
            60, 0);",
        recorded.join(", ")
    );
    // The versions are the test's own numbers, not input.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .unwrap();
    (url, pool)
}

/// The newest schema version recorded in the database.
async fn schema_version(pool: &sqlx::PgPool) -> i32 {
    sqlx::query_scalar("SELECT MAX(version) FROM gateway_schema_migrations")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Switches on the join link of `org_id` ("Acme", no required fields) at `now`; returns the
/// hash of its token.
async fn open_join_link(
    store: &PostgresStore,
    org_id: &str,
    approval_required: bool,
    now: i64,
) -> [u8; 32] {
    use orgdesk_gateway::secrets::random_bytes;
    use orgdesk_gateway::store::{JoinLinkUpdate, JoinLinkWrite, JoinSecrets, JoinStore};
    let link_hash: [u8; 32] = random_bytes();
    let written = store
        .put_join_link(
            JoinLinkUpdate {
                org_id: org_id.into(),
                rules: orgdesk_protocol::JoinLinkRules {
                    organization_name: "Acme".into(),
                    approval_required,
                    required_fields: vec![],
                    expires_at: None,
                },
                fresh: JoinSecrets {
                    token_sha256: link_hash,
                    sealed_token: vec![1],
                    code_hash: random_bytes(),
                    sealed_code: vec![2],
                },
            },
            now,
        )
        .await
        .unwrap();
    assert!(matches!(written, JoinLinkWrite::Written(_)));
    link_hash
}

/// A request by `name` to join through the link whose token hashes to `link_hash`.
fn join_request(
    id: String,
    name: &str,
    username: &str,
    link_hash: [u8; 32],
) -> orgdesk_gateway::store::NewJoinRequest {
    use orgdesk_gateway::secrets::{new_account_id, random_bytes};
    orgdesk_gateway::store::NewJoinRequest {
        id,
        account_id: new_account_id(),
        secret: orgdesk_gateway::store::JoinSecret::Link(link_hash),
        details: orgdesk_protocol::JoinerDetails {
            name: name.into(),
            ..Default::default()
        },
        username: username.into(),
        password_hash: "$argon2id$x".into(),
        status_token_sha256: random_bytes(),
        locale: "en".into(),
    }
}
