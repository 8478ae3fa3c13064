use orgdesk_core::store::migrations;
use rusqlite::Connection;
use rusqlite_migration::SchemaVersion;

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
    let names: Vec<String> = conn
        .prepare("SELECT name FROM roles WHERE builtin IS NOT NULL ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(names, ["Super Admin", "Admin", "Member"]);
}
