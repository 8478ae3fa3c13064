//! Organization settings: the invitation language and the join notifications kept beside the
//! region and the quota.

use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::Lang;

use crate::{admin, audited, with_org};

#[test]
fn the_invitation_language_is_english_until_set_and_kept_by_updates_that_leave_it_out() {
    let (mut d, _) = with_org();
    let a = admin(&d);
    assert_eq!(d.invitation_language().unwrap(), Lang::En);
    assert_eq!(d.settings().unwrap().invitation_language, Some(Lang::En));

    let saved = d
        .update_settings(
            &a,
            &Settings {
                invitation_language: Some(Lang::Zh),
                ..d.settings().unwrap()
            },
        )
        .unwrap();
    assert_eq!(saved.invitation_language, Some(Lang::Zh));
    assert_eq!(d.invitation_language().unwrap(), Lang::Zh);
    assert_eq!(
        audited(
            &d,
            "action = 'settings.update' AND after_json LIKE '%\"invitationLanguage\":\"zh\"%'"
        ),
        1
    );

    // The window's Settings screen sends the region and the quota only.
    let window: Settings =
        serde_json::from_str(r#"{"defaultRegion":"GB","importQuotaPerDay":5}"#).unwrap();
    let saved = d.update_settings(&a, &window).unwrap();
    assert_eq!(saved.default_region, "GB");
    assert_eq!(saved.import_quota_per_day, Some(5));
    assert_eq!(saved.invitation_language, Some(Lang::Zh));
}

#[test]
fn join_notifications_are_on_until_switched_off_and_kept_by_updates_that_leave_them_out() {
    let (mut d, _) = with_org();
    let a = admin(&d);
    assert!(d.join_notifications().unwrap());
    assert_eq!(d.settings().unwrap().join_notifications, Some(true));

    let off = Settings {
        join_notifications: Some(false),
        ..d.settings().unwrap()
    };
    assert_eq!(
        d.update_settings(&a, &off).unwrap().join_notifications,
        Some(false)
    );
    assert!(!d.join_notifications().unwrap());
    assert_eq!(
        audited(
            &d,
            "action = 'settings.update' AND after_json LIKE '%\"joinNotifications\":false%'"
        ),
        1
    );
    let window: Settings =
        serde_json::from_str(r#"{"defaultRegion":"GB","importQuotaPerDay":null}"#).unwrap();
    assert_eq!(
        d.update_settings(&a, &window).unwrap().join_notifications,
        Some(false)
    );

    let on = Settings {
        join_notifications: Some(true),
        ..d.settings().unwrap()
    };
    assert_eq!(
        d.update_settings(&a, &on).unwrap().join_notifications,
        Some(true)
    );
    assert!(d.join_notifications().unwrap());
}
