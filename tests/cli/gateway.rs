//! `orgdesk gateway show|use|builtin` against a real gateway process: the window's choice of
//! gateway from the command line, the token checked before it is kept (in the test keyring
//! that debug builds read instead of the system's) and never printed.

use crate::harness::{free_port, Gateway};
use crate::support::{assert_refused, init_acme, json, ok, orgdesk, stored_tokens, text};

#[test]
fn the_gateway_is_chosen_checked_and_shown_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut gateway = Gateway::start(
        root,
        &root.join("gateway.db").display().to_string(),
        free_port(),
    );
    let db = root.join("org.db");
    ok(&init_acme(&db, None));
    let show = || json(&orgdesk(&db, &["gateway", "show", "--json"], None));
    let builtin = serde_json::json!({
        "mode": "built-in",
        "url": null,
        "tokenStored": false,
        "reachable": null,
        "note": "On this computer only: the built-in gateway runs only while the Orgdesk window is open, \
                 sends nothing (it keeps each message on this computer) and makes links that open only \
                 here; its token is never stored."
    });
    assert_eq!(show(), builtin);

    // Refused before anything is kept: a wrong token, a gateway that does not answer, an
    // address that is not https, no token at all (usage).
    let use_gateway = |url: &str, token: &str| {
        orgdesk(
            &db,
            &["gateway", "use", url, "--token-stdin", "--json"],
            Some(&format!("{token}\n")),
        )
    };
    let closed = format!("http://127.0.0.1:{}", free_port());
    for (url, token, reason) in [
        (
            gateway.url.as_str(),
            "not-the-token",
            "token: The gateway refused this token.",
        ),
        (
            closed.as_str(),
            gateway.token.as_str(),
            "could not be reached",
        ),
        (
            "http://gw.example.org",
            gateway.token.as_str(),
            "must start with https://",
        ),
        (
            gateway.url.as_str(),
            "",
            "token: give the organization's API token",
        ),
    ] {
        let out = use_gateway(url, token);
        assert_eq!(out.status.code(), Some(1), "{url} {token}");
        assert!(
            text(&out.stderr).contains(reason),
            "{reason}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
    let no_stdin = orgdesk(&db, &["gateway", "use", &gateway.url], None);
    assert_eq!(no_stdin.status.code(), Some(2), "--token-stdin is required");
    assert_eq!(show(), builtin);
    assert_eq!(stored_tokens(&db), serde_json::json!({}));

    // The right token: kept in the keyring under the address, never printed.
    let out = use_gateway(&format!("{}/", gateway.url), &gateway.token);
    let remote = serde_json::json!({
        "mode": "remote",
        "url": gateway.url,
        "tokenStored": true,
        "reachable": true,
        "note": null
    });
    assert_eq!(json(&out), remote);
    assert!(!text(&out.stdout).contains(&gateway.token));
    assert_eq!(
        stored_tokens(&db),
        serde_json::json!({ gateway.url.clone(): gateway.token.clone() })
    );
    let shown = ok(&orgdesk(&db, &["gateway", "show"], None));
    assert_eq!(
        shown.trim(),
        format!(
            "mode       remote\nurl        {}\ntoken      stored in the system keyring\nreachable  yes",
            gateway.url
        )
    );
    // The other commands that reach the gateway find it, and its token, without being told.
    let synced = orgdesk(&db, &["sync", "--json"], None);
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced.stderr));

    // A gateway that stopped answering is shown so, with the reason; the choice stays.
    gateway.kill();
    let v = show();
    assert_eq!(
        (v["mode"].as_str(), v["reachable"].as_bool()),
        (Some("remote"), Some(false))
    );
    assert!(
        v["note"].as_str().unwrap().contains("could not be reached"),
        "{v}"
    );

    // Back to the built-in gateway: the token leaves the keyring.
    assert_eq!(
        json(&orgdesk(&db, &["gateway", "builtin", "--json"], None)),
        builtin
    );
    assert_eq!(stored_tokens(&db), serde_json::json!({}));
    let text_out = ok(&orgdesk(&db, &["gateway", "show"], None));
    assert!(
        text_out.contains("mode       on this computer only (the built-in gateway)"),
        "{text_out}"
    );
    let sync = orgdesk(&db, &["sync"], None);
    assert_refused(&sync, 1, "built-in gateway");
}
