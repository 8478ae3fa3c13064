//! The in-memory member index must always agree with the store, whatever changed it.

use orgdesk_core::audit::Actor;
use orgdesk_core::batch::{BatchChange, Selection};
use orgdesk_core::members::{MemberAction, MemberPatch, MemberQuery, StatusFilter};
use orgdesk_core::types::{fold_search, MemberId};
use orgdesk_core::Directory;

use crate::{invitee, org_in_file, with_org};

/// The same list, computed the slow way in SQL.
fn expected(d: &Directory, search: Option<&str>) -> Vec<i64> {
    let mut stmt = d
        .connection()
        .prepare(
            "SELECT id, search_text FROM members WHERE status IN ('enabled', 'disabled', 'not_joined')
             ORDER BY name_key, id",
        )
        .unwrap();
    let needle = search.map(fold_search);
    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .filter(|(_, text)| needle.as_ref().is_none_or(|n| text.contains(n.as_str())))
        .map(|(id, _)| id)
        .collect()
}

fn actual(d: &Directory, search: Option<&str>) -> Vec<i64> {
    let page = d
        .list_members(&MemberQuery {
            search: search.map(Into::into),
            limit: 500,
            status: StatusFilter::All,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total as usize, page.rows.len());
    page.rows.iter().map(|r| r.id.0).collect()
}

fn check(d: &Directory, step: &str) {
    for q in [
        None,
        Some("a"),
        Some("ex"),
        Some("son"),
        Some("王"),
        Some("jose"),
        Some("wang"),
        Some("zw"),
    ] {
        assert_eq!(actual(d, q), expected(d, q), "after {step}, search {q:?}");
    }
}

#[test]
fn index_agrees_with_the_store_after_every_kind_of_change() {
    let (mut d, _) = with_org();
    let a = Actor::member(d.initial_admin_id().unwrap(), "Ann Lee");
    orgdesk_core::seed::seed(&mut d, 30, 300, 1).unwrap();
    check(&d, "seeding");
    let root = d.department_tree().unwrap().id;
    let ids: Vec<MemberId> = d.member_ids(&MemberQuery::default()).unwrap();

    let new = d
        .add_invitee(&a, &invitee("José Wilson", "jw@example.com", root))
        .unwrap();
    check(&d, "adding");
    let patch = MemberPatch {
        name: Some("Aaron Wilson".into()),
        ..Default::default()
    };
    d.update_member(&a, new, &patch).unwrap();
    check(&d, "renaming (moves in the sort order)");
    let enabled: Vec<MemberId> = d
        .member_ids(&MemberQuery {
            status: StatusFilter::Enabled,
            ..Default::default()
        })
        .unwrap();
    d.change_status(&a, enabled[3], MemberAction::Resign)
        .unwrap();
    check(&d, "resigning");
    d.change_status(&a, enabled[3], MemberAction::Restore)
        .unwrap();
    d.remove_member(&a, new, None).unwrap();
    check(&d, "removing");
    let first_50 = Selection::Ids {
        ids: ids[..50].to_vec(),
    };
    for (change, what) in [
        (BatchChange::Disable, "a batch change"),
        (BatchChange::Resign, "a batch resign"),
    ] {
        d.batch_update(&a, &first_50, &change).unwrap();
        check(&d, what);
    }
}

#[test]
fn changes_by_another_connection_are_seen() {
    let dir = tempfile::tempdir().unwrap();
    let (app, path) = org_in_file(dir.path());
    assert_eq!(actual(&app, None).len(), 1);
    // The command line, say, adds a member through its own connection.
    let mut cli = Directory::open(&path).unwrap();
    let a = Actor::member(cli.initial_admin_id().unwrap(), "Ann Lee");
    let root = cli.department_tree().unwrap().id;
    cli.add_invitee(&a, &invitee("Ivy", "ivy@example.com", root))
        .unwrap();
    assert_eq!(
        actual(&app, None).len(),
        2,
        "the window's list shows Ivy without a restart"
    );
    assert_eq!(app.department_tree().unwrap().total_members, 2);
}
