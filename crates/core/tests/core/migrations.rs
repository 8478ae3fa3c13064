use orgdesk_core::store::migrations;
use rusqlite::Connection;
use rusqlite_migration::{Migrations, SchemaVersion};

use crate::column_of;

/// Every schema version, from empty, migrates forward to the latest, keeping data.
#[test]
fn from_every_earlier_version_to_latest() {
    let m = migrations();
    let mut probe = Connection::open_in_memory().unwrap();
    m.to_latest(&mut probe).unwrap();
    let latest = match m.current_version(&probe).unwrap() {
        SchemaVersion::Inside(n) => n.get(),
        other => panic!("unexpected version {other:?}"),
    };
    for start in 0..latest {
        let mut conn = Connection::open_in_memory().unwrap();
        m.to_version(&mut conn, start).unwrap();
        m.to_latest(&mut conn).unwrap();
        assert_eq!(
            m.current_version(&conn).unwrap(),
            SchemaVersion::Inside(std::num::NonZeroUsize::new(latest).unwrap()),
            "from version {start}"
        );
        let fk_violations: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk_violations, 0);
    }
}

#[test]
fn builtin_roles_are_seeded() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrations().to_latest(&mut conn).unwrap();
    let names: Vec<String> = column_of(
        &conn,
        "SELECT name FROM roles WHERE builtin IS NOT NULL ORDER BY id",
    );
    assert_eq!(names, ["Super Admin", "Admin", "Member"]);
}

/// The migrations and a new in-memory database migrated to `version`.
fn at_version(version: usize) -> (&'static Migrations<'static>, Connection) {
    let m = migrations();
    let mut conn = Connection::open_in_memory().unwrap();
    m.to_version(&mut conn, version).unwrap();
    (m, conn)
}

/// Migrates a directory at version `from` that holds a role of its own to the latest: `table`
/// was not there before and is after, and the role is kept.
fn table_arrives_keeping_data(from: usize, table: &str) -> Connection {
    let (m, mut conn) = at_version(from);
    let has_table = |c: &Connection| -> bool {
        c.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 1
    };
    assert!(!has_table(&conn), "{table} is not there before");
    conn.execute(
        "INSERT INTO roles (name, name_key, description) VALUES ('Auditor', 'auditor', '')",
        [],
    )
    .unwrap();
    m.to_latest(&mut conn).unwrap();
    assert!(has_table(&conn), "{table} arrives");
    let roles: i64 = conn
        .query_row("SELECT count(*) FROM roles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(roles, 4, "earlier data is kept");
    conn
}

/// Version 6 adds the saved column mappings to a directory that already has data.
#[test]
fn saved_mappings_arrive_with_version_6_and_names_are_unique() {
    let conn = table_arrives_keeping_data(5, "saved_mappings");
    let insert = |c: &Connection, name: &str| {
        c.execute(
            "INSERT INTO saved_mappings (name, name_key, mapping_json, created_at, updated_at)
             VALUES (?1, lower(?1), '{\"fields\":[]}', 1, 1)",
            [name],
        )
    };
    insert(&conn, "Google Workspace").unwrap();
    assert!(insert(&conn, "GOOGLE WORKSPACE").is_err());
}

/// Version 7 adds the import log (what the daily import quota counts) to a directory that
/// already has data; an admin's removal keeps his imports in the history.
#[test]
fn the_import_log_arrives_with_version_7() {
    let conn = table_arrives_keeping_data(6, "imports");
    conn.execute(
        "INSERT INTO imports (actor_id, actor_name, at, created, updated, unchanged, failed)
         VALUES (NULL, 'Ann Lee', 1, 2, 0, 0, 1)",
        [],
    )
    .unwrap();
}

/// Version 8 binds members to gateway accounts by id: the username-keyed account-state
/// queue stops being fed (the account mirror carries states now) and what it held is dropped,
/// while join decisions waiting for the gateway are kept.
#[test]
fn account_ids_arrive_with_version_8_and_the_username_queue_is_retired() {
    let (m, mut conn) = at_version(7);
    conn.execute_batch(
        "INSERT INTO gateway_outbox (kind, target, value) VALUES ('account_state', 'joe', 'disabled');
         INSERT INTO gateway_outbox (kind, target, value) VALUES ('join_decision', 'jr_1', 'approved');",
    )
    .unwrap();
    m.to_latest(&mut conn).unwrap();
    let left: Vec<String> = column_of(&conn, "SELECT kind FROM gateway_outbox");
    assert_eq!(left, ["join_decision"]);
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
               AND name IN ('members_status_to_gateway', 'members_removed_to_gateway')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);
    // Two members cannot be bound to one account.
    conn.execute_batch(
        "INSERT INTO members (name, name_key, status, created_at, updated_at, gateway_account_id)
         VALUES ('A', 'a', 'enabled', 1, 1, 'acc_1');",
    )
    .unwrap();
    assert!(conn
        .execute_batch(
            "INSERT INTO members (name, name_key, status, created_at, updated_at, gateway_account_id)
             VALUES ('B', 'b', 'enabled', 1, 1, 'acc_1');",
        )
        .is_err());
}

/// Version 10 gives the members a directory already holds their pinyin: a Chinese name's sort
/// key and search text are rewritten, a Latin name's stay as they were.
#[test]
fn pinyin_keys_arrive_for_existing_members() {
    let (m, mut conn) = at_version(8);
    conn.execute_batch(
        "INSERT INTO members (name, name_key, username, search_text, status, created_at, updated_at)
         VALUES ('张伟', '张伟', 'zw1', '张伟' || char(1) || 'zw1' || char(1), 'enabled', 1, 1),
                ('Zoe Li', 'zoe li', NULL, 'zoe li' || char(1), 'enabled', 1, 1);",
    )
    .unwrap();
    m.to_latest(&mut conn).unwrap();
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT name, name_key, search_text FROM members ORDER BY name_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            (
                "张伟".to_string(),
                "zhang wei\u{1}张伟".to_string(),
                "张伟\u{1}zhangwei\u{1}zw\u{1}zw1\u{1}".to_string()
            ),
            (
                "Zoe Li".to_string(),
                "zoe li".to_string(),
                "zoe li\u{1}".to_string()
            ),
        ]
    );
}

/// Version 13 brings team mode's tables, and the id of a member removed before it (kept by the
/// former-member list) is not given again.
#[test]
fn team_tables_arrive_with_version_13_and_removed_ids_stay_retired() {
    table_arrives_keeping_data(12, "team_pending");
    let (m, mut conn) = at_version(12);
    conn.execute_batch(
        "INSERT INTO former_members (member_id, name, removed_at, removed_by) VALUES (9, 'Gone', 1, 'Ann Lee');",
    )
    .unwrap();
    m.to_latest(&mut conn).unwrap();
    let floor: i64 = conn
        .query_row("SELECT id FROM id_floors WHERE name = 'members'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(floor, 9);
    let cursor: i64 = conn
        .query_row("SELECT applied_seq FROM team_cursor", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cursor, 0);
}
