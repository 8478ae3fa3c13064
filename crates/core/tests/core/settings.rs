//! Organization settings: the invitation language and the join notifications kept beside the
//! region and the quota.

use orgdesk_core::audit::Actor;
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::Directory;

use crate::{audited, with_org_admin};

/// Saves the settings as read with `change` made; answers them as saved.
fn save_changed(d: &mut Directory, a: &Actor, change: impl FnOnce(&mut Settings)) -> Settings {
    let mut s = d.settings().unwrap();
    change(&mut s);
    d.update_settings(a, &s).unwrap()
}

/// How many settings changes were audited with `after` holding `fragment`.
fn audited_change(d: &Directory, fragment: &str) -> i64 {
    audited(
        d,
        &format!("action = 'settings.update' AND after_json LIKE '%{fragment}%'"),
    )
}

/// The window's Settings screen sends the region and the quota only.
fn save_from_window(d: &mut Directory, a: &Actor, json: &str) -> Settings {
    let window: Settings = serde_json::from_str(json).unwrap();
    d.update_settings(a, &window).unwrap()
}

#[test]
fn the_invitation_language_is_english_until_set_and_kept_by_updates_that_leave_it_out() {
    let (mut d, a) = with_org_admin();
    assert_eq!(d.invitation_language().unwrap(), Lang::En);
    assert_eq!(d.settings().unwrap().invitation_language, Some(Lang::En));

    let saved = save_changed(&mut d, &a, |s| s.invitation_language = Some(Lang::Zh));
    assert_eq!(saved.invitation_language, Some(Lang::Zh));
    assert_eq!(d.invitation_language().unwrap(), Lang::Zh);
    assert_eq!(audited_change(&d, r#""invitationLanguage":"zh""#), 1);

    let saved = save_from_window(
        &mut d,
        &a,
        r#"{"defaultRegion":"GB","importQuotaPerDay":5}"#,
    );
    assert_eq!(saved.default_region, "GB");
    assert_eq!(saved.import_quota_per_day, Some(5));
    assert_eq!(saved.invitation_language, Some(Lang::Zh));
}

#[test]
fn join_notifications_are_on_until_switched_off_and_kept_by_updates_that_leave_them_out() {
    let (mut d, a) = with_org_admin();
    assert!(d.join_notifications().unwrap());
    assert_eq!(d.settings().unwrap().join_notifications, Some(true));

    let saved = save_changed(&mut d, &a, |s| s.join_notifications = Some(false));
    assert_eq!(saved.join_notifications, Some(false));
    assert!(!d.join_notifications().unwrap());
    assert_eq!(audited_change(&d, r#""joinNotifications":false"#), 1);

    let saved = save_from_window(
        &mut d,
        &a,
        r#"{"defaultRegion":"GB","importQuotaPerDay":null}"#,
    );
    assert_eq!(saved.join_notifications, Some(false));

    let saved = save_changed(&mut d, &a, |s| s.join_notifications = Some(true));
    assert_eq!(saved.join_notifications, Some(true));
    assert!(d.join_notifications().unwrap());
}
