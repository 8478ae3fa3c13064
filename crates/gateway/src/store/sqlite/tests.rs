//! The SQLite migrations: databases written by earlier schemas keep their rows (accounts,
//! invitations, queued mail, join requests) through later ones.

use rusqlite::{params, Connection};
use rusqlite_migration::Migrations;

use super::{SqliteStore, MIGRATIONS};

#[path = "../../../tests/common/identity_migration.rs"]
mod identity_migration;

/// An organization and one invitation of it, which the other rows of a migration test name.
const ORG_AND_INVITATION: &str = "INSERT INTO organizations VALUES ('org_1', 'Acme', x'00', 0);
    INSERT INTO invitations (id, org_id, channel, recipient, invitee_name, organization_name,
        department_label, position_label, inviter_name, locale, lifetime_secs, created_at)
    VALUES ('inv_1', 'org_1', 'email', 'a@example.org', 'A', 'Acme', '', '', 'Ann', 'en', 60, 0);";
use crate::store::{InvitationStore, Lease, OutboxStore, SessionStore};

/// A database written by the first schema keeps its accounts, invitations and queued
/// mail through the accounts migration, and the queued mail is still sent.
#[tokio::test]
async fn the_accounts_migration_keeps_what_the_first_schema_holds() {
    let mut conn = Connection::open_in_memory().unwrap();
    Migrations::from_slice(&MIGRATIONS[..1])
        .to_latest(&mut conn)
        .unwrap();
    conn.execute_batch(
        "INSERT INTO organizations VALUES ('org_1', 'Acme', x'00', 1);
         INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
            organization_name, department_label, position_label, inviter_name, locale,
            lifetime_secs, state, created_at)
         VALUES ('inv_1', 'org_1', 'email', 'li@example.org', 'Li Wei', 'Acme Ltd', '',
            '', 'Ann', 'en', 600, 'pending', 1),
                ('inv_2', 'org_1', 'sms', '+8613800138000', 'Zhang San', 'Acme Ltd', '',
            '', 'Ann', 'en', 600, 'registered', 1);
         INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
         VALUES (x'01', 'inv_1', 1, 601);
         INSERT INTO outbox (id, invitation_id, sealed_token, next_attempt_at, created_at)
         VALUES (7, 'inv_1', x'02', 1, 1);
         INSERT INTO accounts VALUES ('org_1', 'zhang.san', 'Zhang.San', '$argon2id$x',
            'inv_2', 2);",
    )
    .unwrap();
    let store = SqliteStore::init(conn).unwrap();

    let claimed = store
        .claim_due_message(Lease {
            now: 10,
            until: 70,
            owner: "wrk_test",
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!((claimed.id, claimed.subject.id.as_str()), (7, "inv_1"));
    let candidates = store.sign_in_candidates("zhang.san").await.unwrap();
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].state, orgdesk_protocol::AccountState::Enabled);
    // Personal fields the member never changed come from the invitation.
    let conn = std::sync::Arc::clone(&store.conn);
    let (kind, mobile): (String, String) = {
        let c = conn.lock().unwrap();
        let kind = c
            .query_row("SELECT kind FROM outbox WHERE id = 7", [], |r| r.get(0))
            .unwrap();
        let mobile = c
            .query_row(
                &format!(
                    "SELECT {} FROM {} WHERE a.username_key = 'zhang.san'",
                    crate::store::MEMBER_COLUMNS,
                    crate::store::MEMBER_FROM
                ),
                [],
                |r| r.get(5),
            )
            .unwrap();
        // New rows continue after the old ids.
        c.execute(
            "INSERT INTO outbox (invitation_id, sealed_token, next_attempt_at, created_at)
             VALUES ('inv_1', x'03', 1, 1)",
            [],
        )
        .unwrap();
        assert!(c.last_insert_rowid() > 7);
        (kind, mobile)
    };
    assert_eq!(kind, "invitation");
    assert_eq!(mobile, "+8613800138000");
    // Expired links of pending invitations are reported once.
    assert_eq!(store.report_expired_invitations(700, 10).await.unwrap(), 1);
    assert_eq!(store.report_expired_invitations(800, 10).await.unwrap(), 0);
}

/// A database with accounts and join requests takes the identity schema: every account
/// and request gets a random account id, an approved request the id of the account it
/// made, and existing accounts count as registered ones.
#[test]
fn the_identity_schema_gives_existing_accounts_and_requests_ids() {
    let mut c = Connection::open_in_memory().unwrap();
    Migrations::from_slice(&MIGRATIONS[..3])
        .to_latest(&mut c)
        .unwrap();
    c.execute_batch(&format!(
        "{ORG_AND_INVITATION}
         INSERT INTO accounts (org_id, username_key, username, password_hash,
            invitation_id, created_at)
         VALUES ('org_1', 'ann', 'Ann', 'h', 'inv_1', 0);
         INSERT INTO join_requests (id, org_id, via, organization_name, name, username_key,
            username, password_hash, state, status_token_sha256, created_at)
         VALUES ('jr_1', 'org_1', 'code', 'Acme', 'Bo', 'bob', 'Bob', 'h', 'approved',
            x'01', 0),
                ('jr_2', 'org_1', 'link', 'Acme', 'Cy', 'cy.x', 'Cy.X', 'h', 'pending',
            x'02', 0);
         INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
            join_request_id)
         VALUES ('org_1', 'bob', 'Bob', 'h', 0, 'jr_1');"
    ))
    .unwrap();
    Migrations::from_slice(MIGRATIONS)
        .to_latest(&mut c)
        .unwrap();
    let accounts: Vec<(String, String, String)> = c
        .prepare("SELECT username_key, account_id, origin FROM accounts ORDER BY username_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let requests: Vec<String> = c
        .prepare("SELECT account_id FROM join_requests ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    identity_migration::assert_identities_given(&accounts, &requests);
    // Ids stay unique.
    let dup = c.execute(
        "UPDATE accounts SET account_id = ?1 WHERE username_key = 'ann'",
        [&accounts[1].1],
    );
    assert!(dup.is_err());
}

/// A database made by the first schema, with data in it, takes the join schema: the data
/// stays, and a pending request's username is held against accounts from then on.
#[test]
fn the_join_schema_applies_over_a_database_from_the_first_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.db");
    {
        let mut c = Connection::open(&path).unwrap();
        Migrations::from_slice(&MIGRATIONS[..1])
            .to_latest(&mut c)
            .unwrap();
        c.execute_batch(&format!(
            "{ORG_AND_INVITATION}
             INSERT INTO accounts VALUES ('org_1', 'ann', 'Ann', 'h', 'inv_1', 0);
             INSERT INTO outbox (invitation_id, sealed_token, state, next_attempt_at,
                message_id, created_at)
             VALUES ('inv_1', x'00', 'sent', 0, 'pm-1', 0);"
        ))
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let c = store.conn.lock().unwrap();
    let (username, via_join): (String, Option<String>) = c
        .query_row(
            "SELECT username, join_request_id FROM accounts WHERE username_key = 'ann'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((username.as_str(), via_join), ("Ann", None));
    let bounced: Option<i64> = c
        .query_row(
            "SELECT bounced_at FROM outbox WHERE message_id = 'pm-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bounced, None);
    c.execute(
        "INSERT INTO join_requests (id, org_id, via, organization_name, name, username_key,
            username, password_hash, state, status_token_sha256, created_at)
         VALUES ('jr_1', 'org_1', 'code', 'Acme', 'Bo', 'bo', 'Bo', 'h', 'pending', x'01', 0)",
        [],
    )
    .unwrap();
    let held = c.execute(
        "INSERT INTO accounts (org_id, username_key, username, password_hash, invitation_id,
            created_at)
         VALUES ('org_1', 'bo', 'bo', 'h', 'inv_1', 0)",
        params![],
    );
    assert!(
        matches!(held, Err(ref e) if super::is_unique_violation(e)),
        "{held:?}"
    );
}

/// The join decision schema rebuilds the outbox around the rows it holds (same ids, kinds,
/// states, leases and bounces), and from then on a join decision row must name its request
/// and decision.
#[test]
fn the_join_decision_schema_keeps_the_outbox_rows() {
    let mut c = Connection::open_in_memory().unwrap();
    Migrations::from_slice(&MIGRATIONS[..MIGRATIONS.len() - 1])
        .to_latest(&mut c)
        .unwrap();
    c.execute_batch(&format!(
        "{ORG_AND_INVITATION}
         INSERT INTO outbox (id, invitation_id, sealed_token, state, next_attempt_at,
            message_id, created_at, bounced_at, lease_owner)
         VALUES (5, 'inv_1', x'0a', 'sent', 0, 'pm-1', 0, 9, NULL),
                (6, 'inv_1', x'0b', 'pending', 3, NULL, 1, NULL, 'wrk_1');
         INSERT INTO join_requests (id, org_id, via, organization_name, name, email,
            username_key, username, password_hash, state, status_token_sha256, created_at,
            account_id)
         VALUES ('jr_1', 'org_1', 'code', 'Acme', 'Bo', 'bo@example.org', 'bo', 'Bo', 'h',
            'pending', x'01', 0, 'acc_1');"
    ))
    .unwrap();
    Migrations::from_slice(MIGRATIONS)
        .to_latest(&mut c)
        .unwrap();
    /// id, kind, sealed token, state, bounced at, lease owner.
    type Row = (i64, String, Vec<u8>, String, Option<i64>, Option<String>);
    let rows: Vec<Row> = c
        .prepare(
            "SELECT id, kind, sealed_token, state, bounced_at, lease_owner FROM outbox
             ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            (
                5,
                "invitation".into(),
                vec![10],
                "sent".into(),
                Some(9),
                None
            ),
            (
                6,
                "invitation".into(),
                vec![11],
                "pending".into(),
                None,
                Some("wrk_1".into())
            ),
        ]
    );
    let locale: Option<String> = c
        .query_row("SELECT locale FROM join_requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!(locale, None, "requests made before keep no language");
    let insert = |request: &str, approved: &str| {
        c.execute(
            &format!(
                "INSERT INTO outbox (kind, join_request_id, join_approved, sealed_token,
                    next_attempt_at, created_at)
                 VALUES ('join_decision', {request}, {approved}, X'', 0, 0)"
            ),
            [],
        )
    };
    assert!(insert("NULL", "1").is_err(), "a decision names its request");
    assert!(insert("'jr_1'", "NULL").is_err(), "and its decision");
    assert_eq!(insert("'jr_1'", "1").unwrap(), 1);
    assert!(
        c.last_insert_rowid() > 6,
        "new rows continue after the old ids"
    );
}
