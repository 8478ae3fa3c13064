//! The daily import quota: off by default; when on, committed imports are counted per admin
//! per UTC day, previews are not, and the refusal says when the count starts again.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use orgdesk_core::audit::Actor;
use orgdesk_core::clock::ManualClock;
use orgdesk_core::members::{MemberQuery, NewMember};
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::{Control, ImportOptions, SpreadsheetError};
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};

use crate::{admin, audited, count, new_member, pos, value, with_org};

/// The test clock starts at 2026-09-21 14:13:20 UTC; the next 00:00 UTC is 9 h 46 min 40 s on.
const NEXT_MIDNIGHT: i64 = 1_790_035_200_000;
const UNTIL_MIDNIGHT_SECS: i64 = 35_200;

fn set_quota(d: &mut Directory, quota: Option<u32>) -> Result<Settings, CoreError> {
    let a = admin(d);
    let region = d.settings().unwrap().default_region;
    d.update_settings(
        &a,
        &Settings {
            default_region: region,
            import_quota_per_day: quota,
            invitation_language: None,
            join_notifications: None,
        },
    )
}

/// Sales, and a second admin (Bob) with his own count.
fn org() -> (Directory, Arc<ManualClock>, Actor) {
    let (mut d, clock) = with_org();
    let a = admin(&d);
    let root = d.department_tree().unwrap().id;
    let sales = d.create_department(&a, root, "Sales").unwrap();
    let bob = d
        .add_member(
            &a,
            &NewMember {
                role_ids: vec![d.role_by_name("admin").unwrap()],
                ..new_member("Bob Stone", "bob", vec![pos(sales, None)])
            },
        )
        .unwrap();
    (d, clock, Actor::member(bob, "Bob Stone"))
}

/// [`org`] with a quota of `quota` imports a day; the actor is the initial admin (Ann).
fn with_quota(quota: u32) -> (Directory, Arc<ManualClock>, Actor) {
    let (mut d, clock, _) = org();
    set_quota(&mut d, Some(quota)).unwrap();
    let a = admin(&d);
    (d, clock, a)
}

/// A file adding one new person to Sales (a new name each time, so each import writes).
fn file(dir: &Path, n: u32) -> PathBuf {
    let path = dir.join(format!("people-{n}.csv"));
    std::fs::write(
        &path,
        format!("Name,Email,Department\nPerson {n},p{n}@example.com,Sales\n"),
    )
    .unwrap();
    path
}

fn import(d: &mut Directory, who: &Actor, path: &Path) -> Result<(), SpreadsheetError> {
    d.import_members(who, path, &ImportOptions::default(), &Control::none())
        .map(|r| assert!(r.committed))
}

fn members(d: &Directory) -> u32 {
    d.list_members(&MemberQuery::default()).unwrap().total
}

fn logged_imports(d: &Directory) -> i64 {
    count(d, "imports")
}

fn quota_refusal(e: SpreadsheetError) -> (u32, i64, u32) {
    match e {
        SpreadsheetError::Core(CoreError::ImportQuotaReached {
            limit,
            resets_at_ms,
            retry_after_secs,
        }) => (limit, resets_at_ms, retry_after_secs),
        other => panic!("expected the quota refusal, got {other:?}"),
    }
}

#[test]
fn off_by_default_imports_freely_and_still_logs_each_import() {
    let (mut d, _, _) = org();
    let a = admin(&d);
    assert_eq!(d.settings().unwrap().import_quota_per_day, None);
    let tmp = tempfile::tempdir().unwrap();
    for n in 0..5 {
        import(&mut d, &a, &file(tmp.path(), n)).unwrap();
    }
    let s = d.import_quota_status(&a).unwrap();
    assert_eq!((s.limit, s.used, s.remaining), (None, 5, None));
    assert_eq!(s.resets_at_ms, NEXT_MIDNIGHT);
    d.check_import_quota(&a).unwrap();
    let (created, actor): (i64, String) = d
        .connection()
        .query_row(
            "SELECT created, actor_name FROM imports ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((created, actor.as_str()), (1, "Ann Lee"));
}

#[test]
fn the_third_import_of_two_is_refused_says_when_it_resets_and_writes_nothing() {
    let (mut d, _, a) = with_quota(2);
    let tmp = tempfile::tempdir().unwrap();
    import(&mut d, &a, &file(tmp.path(), 1)).unwrap();
    let s = d.import_quota_status(&a).unwrap();
    assert_eq!((s.limit, s.used, s.remaining), (Some(2), 1, Some(1)));
    import(&mut d, &a, &file(tmp.path(), 2)).unwrap();
    assert_eq!(d.import_quota_status(&a).unwrap().remaining, Some(0));

    let before = members(&d);
    let e = import(&mut d, &a, &file(tmp.path(), 3)).unwrap_err();
    let message = e.to_string();
    assert_eq!(
        quota_refusal(e),
        (2, NEXT_MIDNIGHT, UNTIL_MIDNIGHT_SECS as u32)
    );
    assert_eq!(
        message,
        "You have used today's 2 imports. The quota resets at 00:00 UTC (in 9 h 47 min)."
    );
    assert_eq!(members(&d), before, "a refused import writes nothing");
    assert_eq!(logged_imports(&d), 2);

    // What the window receives.
    let c = CommandError::from(import(&mut d, &a, &file(tmp.path(), 3)).unwrap_err());
    assert_eq!(c.code, ErrorCode::QuotaReached);
    assert_eq!(c.retry_after_secs, Some(UNTIL_MIDNIGHT_SECS as u32));
}

#[test]
fn previews_do_not_count_but_are_refused_early_once_the_quota_is_used() {
    let (mut d, _, a) = with_quota(1);
    let tmp = tempfile::tempdir().unwrap();
    let f = file(tmp.path(), 1);
    for _ in 0..3 {
        d.check_import_quota(&a).unwrap();
        let r = d
            .preview_import(&f, &ImportOptions::default(), &Control::none())
            .unwrap();
        assert!(!r.committed);
    }
    assert_eq!(d.import_quota_status(&a).unwrap().used, 0);
    import(&mut d, &a, &f).unwrap();
    // The window checks before a preview, so the admin does not map a file in vain.
    let CoreError::ImportQuotaReached { limit, .. } = d.check_import_quota(&a).unwrap_err() else {
        panic!("expected the quota refusal");
    };
    assert_eq!(limit, 1);
}

#[test]
fn a_cancelled_import_does_not_count() {
    let (mut d, _, a) = with_quota(1);
    let tmp = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(true);
    let ctl = Control {
        cancel: &cancel,
        progress: &|_, _, _| {},
    };
    let e = d
        .import_members(&a, &file(tmp.path(), 1), &ImportOptions::default(), &ctl)
        .unwrap_err();
    assert!(matches!(e, SpreadsheetError::Cancelled), "{e:?}");
    assert_eq!(d.import_quota_status(&a).unwrap().used, 0);
    import(&mut d, &a, &file(tmp.path(), 1)).unwrap();
}

#[test]
fn each_admin_has_his_own_count() {
    let (mut d, _, bob) = org();
    let ann = admin(&d);
    set_quota(&mut d, Some(1)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    import(&mut d, &ann, &file(tmp.path(), 1)).unwrap();
    assert_eq!(d.import_quota_status(&bob).unwrap().remaining, Some(1));
    import(&mut d, &bob, &file(tmp.path(), 2)).unwrap();
    quota_refusal(import(&mut d, &ann, &file(tmp.path(), 3)).unwrap_err());
    quota_refusal(import(&mut d, &bob, &file(tmp.path(), 4)).unwrap_err());
}

#[test]
fn the_count_starts_again_at_00_00_utc() {
    let (mut d, clock, a) = with_quota(1);
    let tmp = tempfile::tempdir().unwrap();
    import(&mut d, &a, &file(tmp.path(), 1)).unwrap();
    clock.advance_secs(UNTIL_MIDNIGHT_SECS - 1);
    let (_, resets_at, wait) = quota_refusal(import(&mut d, &a, &file(tmp.path(), 2)).unwrap_err());
    assert_eq!((resets_at, wait), (NEXT_MIDNIGHT, 1));
    clock.advance_secs(1);
    let s = d.import_quota_status(&a).unwrap();
    assert_eq!((s.used, s.remaining), (0, Some(1)));
    assert_eq!(s.resets_at_ms, NEXT_MIDNIGHT + 86_400_000);
    import(&mut d, &a, &file(tmp.path(), 2)).unwrap();
    assert_eq!(
        logged_imports(&d),
        2,
        "yesterday's import stays in the history"
    );
}

#[test]
fn an_import_committed_meanwhile_by_another_connection_is_counted_at_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.db");
    let clock = Arc::new(ManualClock::new(1_790_000_000_000));
    let mut app = Directory::open_with_clock(&path, clock.clone()).unwrap();
    app.setup_organization(&crate::setup_input("Acme", "ann"))
        .unwrap();
    let a = admin(&app);
    let root = app.department_tree().unwrap().id;
    app.create_department(&a, root, "Sales").unwrap();
    set_quota(&mut app, Some(1)).unwrap();
    // The command line imports as the same admin while the window's import is validating.
    let cli = RefCell::new(Directory::open_with_clock(&path, clock).unwrap());
    let cli_file = file(dir.path(), 1);
    let raced = AtomicBool::new(false);
    let progress = |_, _, _| {
        if !raced.swap(true, Ordering::SeqCst) {
            import(&mut cli.borrow_mut(), &a, &cli_file).unwrap();
        }
    };
    let cancel = AtomicBool::new(false);
    let ctl = Control {
        cancel: &cancel,
        progress: &progress,
    };
    let before = members(&app);
    let e = app
        .import_members(&a, &file(dir.path(), 2), &ImportOptions::default(), &ctl)
        .unwrap_err();
    assert!(raced.load(Ordering::SeqCst));
    quota_refusal(e);
    assert_eq!(members(&app), before + 1, "only the command line's person");
    assert_eq!(logged_imports(&app), 1);
}

#[test]
fn the_quota_setting_is_validated_audited_and_can_be_turned_off() {
    let (mut d, _, _) = org();
    for bad in [0, 10_001] {
        match set_quota(&mut d, Some(bad)).unwrap_err() {
            CoreError::Validation { details, .. } => {
                assert_eq!(details.len(), 1);
                assert_eq!(details[0].field.as_deref(), Some("importQuotaPerDay"));
                assert_eq!(details[0].code, "out_of_range");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
    assert_eq!(d.settings().unwrap().import_quota_per_day, None);
    assert_eq!(
        set_quota(&mut d, Some(10_000))
            .unwrap()
            .import_quota_per_day,
        Some(10_000)
    );
    assert_eq!(
        set_quota(&mut d, Some(100)).unwrap().import_quota_per_day,
        Some(100)
    );
    // A region fix elsewhere in Settings keeps the quota.
    let a = admin(&d);
    let kept = d
        .update_settings(
            &a,
            &Settings {
                default_region: "cn".into(),
                import_quota_per_day: Some(100),
                invitation_language: None,
                join_notifications: None,
            },
        )
        .unwrap();
    assert_eq!(kept.default_region, "CN");
    assert_eq!(kept.import_quota_per_day, Some(100));
    assert_eq!(set_quota(&mut d, None).unwrap().import_quota_per_day, None);
    let after: String = value(&d, "SELECT after_json FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1");
    assert_eq!(after, r#"{"defaultRegion":"CN","importQuotaPerDay":null}"#);
    let audited = audited(
        &d,
        "action = 'settings.update' AND after_json LIKE '%\"importQuotaPerDay\":100}'",
    );
    assert_eq!(audited, 2);
}
