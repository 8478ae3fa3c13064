//! `orgdesk settings show|set`: the window's Settings from the command line, with the exit
//! codes a script relies on (0 saved, 1 a refused value with the reason on stderr, 2 usage).

use crate::support::{assert_holds_all, assert_refused, init_acme, json, ok, orgdesk, text};

#[test]
fn settings_are_shown_set_and_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("org.db");
    ok(&init_acme(&db, None));
    let show = || json(&orgdesk(&db, &["settings", "show", "--json"], None));
    assert_eq!(
        show(),
        serde_json::json!({"default-region": "US", "import-quota": null, "invitation-language": "en", "notifications": true})
    );

    // Letter case aside, as the window's Settings take them.
    assert_eq!(
        ok(&orgdesk(
            &db,
            &["settings", "set", "default-region", "gb"],
            None
        ))
        .trim(),
        "Saved default-region: GB."
    );
    assert_eq!(
        ok(&orgdesk(
            &db,
            &["settings", "set", "import-quota", "25"],
            None
        ))
        .trim(),
        "Saved import-quota: 25 a day."
    );
    assert_eq!(
        ok(&orgdesk(
            &db,
            &["settings", "set", "invitation-language", "zh-CN"],
            None
        ))
        .trim(),
        "Saved invitation-language: zh-CN."
    );
    assert_eq!(
        ok(&orgdesk(
            &db,
            &["settings", "set", "notifications", "OFF"],
            None
        ))
        .trim(),
        "Saved notifications: off."
    );
    let text_show = ok(&orgdesk(&db, &["settings", "show"], None));
    assert_holds_all(
        &text_show,
        &[
            "default-region       GB",
            "import-quota         25 a day",
            "invitation-language  zh-CN",
            "notifications        off",
        ],
    );

    // The region now reads numbers without "+": a UK mobile is imported.
    let file = dir.path().join("uk.csv");
    std::fs::write(&file, "Name,Mobile,Department\nTess Holt,07946 000000,/\n").unwrap();
    let v = json(&orgdesk(
        &db,
        &["import", file.to_str().unwrap(), "--json"],
        None,
    ));
    assert_eq!(v["counts"]["create"], 1, "{v}");

    // Refused values: exit 1, the key and the reason on stderr, nothing changed.
    for (key, value, reason) in [
        ("default-region", "ZZ", "default-region: \"ZZ\" is not a known region code (e.g. US, CN, GB)."),
        ("import-quota", "0", "import-quota: The import quota must be between 1 and 10000 imports a day."),
        ("import-quota", "10001", "import-quota: The import quota must be between 1 and 10000 imports a day."),
        ("import-quota", "lots", "import-quota: \"lots\" is not a number of imports a day: give a whole number from 1 to 10000, or \"off\"."),
        ("invitation-language", "fr", "invitation-language: \"fr\" is not a language invitations are written in: give en or zh-CN."),
        ("notifications", "maybe", "notifications: \"maybe\" is neither on nor off."),
    ] {
        let out = orgdesk(&db, &["settings", "set", key, value], None);
        assert_eq!(out.status.code(), Some(1), "{key} {value}");
        assert_eq!(text(&out.stderr).trim(), format!("orgdesk: {reason}"), "{key} {value}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        show(),
        serde_json::json!({"default-region": "GB", "import-quota": 25, "invitation-language": "zh-CN", "notifications": false})
    );

    // "off" turns the quota off again; the other settings stay.
    ok(&orgdesk(
        &db,
        &["settings", "set", "import-quota", "off"],
        None,
    ));
    assert_eq!(
        show(),
        serde_json::json!({"default-region": "GB", "import-quota": null, "invitation-language": "zh-CN", "notifications": false})
    );

    // An unknown key is a usage error.
    let out = orgdesk(&db, &["settings", "set", "timezone", "UTC"], None);
    assert_refused(&out, 2, "invalid value 'timezone'");
}

#[test]
fn settings_help_names_the_keys_and_what_the_invitation_language_is_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = orgdesk(
        &dir.path().join("a.db"),
        &["settings", "set", "--help"],
        None,
    );
    let help = ok(&out);
    assert_holds_all(
        &help,
        &[
            "default-region",
            "import-quota",
            "invitation-language",
            "notifications",
        ],
    );
    assert!(
        help.contains("invitation sent without a language of its own"),
        "{help}"
    );
    // Without a database there is nothing to show.
    let out = orgdesk(&dir.path().join("a.db"), &["settings", "show"], None);
    assert_refused(&out, 1, "orgdesk org init");
}
