//! `orgdesk invite` and `orgdesk invitations list|resend|cancel`: queued without a gateway,
//! handed over at once (and a link printed) with one, in the language asked for.

use std::path::Path;

use super::join::gateway;
use super::{new_acme, ok, refused};
use crate::support::{json, orgdesk, text};

/// Sales, Dee (email) and Kim (no contact: a link only, with the Admin role); their ids.
fn invitees(db: &Path) -> (String, String) {
    ok(db, &["dept", "add", "Sales"]);
    let dee = orgdesk(
        db,
        &[
            "member",
            "invite-add",
            "--name",
            "Dee Ray",
            "--email",
            "dee@example.com",
            "--dept",
            "Sales",
            "--json",
        ],
        None,
    );
    let kim = orgdesk(
        db,
        &[
            "member",
            "invite-add",
            "--name",
            "Kim Yu",
            "--link-only",
            "--role",
            "Admin",
            "--dept",
            "Sales",
            "--json",
        ],
        None,
    );
    (json(&dee)["id"].to_string(), json(&kim)["id"].to_string())
}

#[test]
fn invitations_are_queued_listed_searched_resent_and_cancelled_from_a_script() {
    let (_dir, db) = new_acme();
    let (dee, kim) = invitees(&db);
    assert!(ok(&db, &["member", "show", &kim]).contains("Admin"));
    // Without --link-only someone without contact is a usage error.
    let out = orgdesk(
        &db,
        &["member", "invite-add", "--name", "Lu", "--dept", "Sales"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));

    // No gateway named: the mail is queued for `orgdesk sync` or the window.
    let queued = orgdesk(
        &db,
        &["invite", "dee@example.com", "--language", "zh-CN", "--json"],
        None,
    );
    let row = json(&queued);
    assert_eq!(
        (
            row["state"].as_str(),
            row["channel"].as_str(),
            row["language"].as_str()
        ),
        (Some("queued"), Some("email"), Some("zh"))
    );
    assert!(
        ok(&db, &["invite", &dee]).contains("is queued"),
        "the organization's language by default"
    );

    // Refusals: no mobile, an unknown language, a link without a gateway; two ways at once.
    assert!(refused(&db, &["invite", &dee, "--sms"]).contains("Dee Ray has no mobile number"));
    assert!(refused(&db, &["invite", &dee, "--language", "fr"]).contains("en or zh-CN"));
    assert!(
        refused(&db, &["invite", &kim]).contains("built-in gateway"),
        "Kim's default is a link"
    );
    assert_eq!(
        orgdesk(&db, &["invite", &dee, "--email", "--link"], None)
            .status
            .code(),
        Some(2)
    );

    let all = json(&orgdesk(&db, &["invitations", "list", "--json"], None));
    assert_eq!(all["total"], 2, "{all}");
    let newest = all["rows"][0]["id"].to_string();
    let first = all["rows"][1]["id"].to_string();
    assert_eq!(
        all["rows"][1]["state"], "cancelled",
        "the second invitation replaced the first"
    );
    let open = ok(
        &db,
        &["invitations", "list", "--state", "open", "--search", "DEE"],
    );
    assert!(
        open.starts_with("1 invitations") && open.contains("Dee Ray"),
        "{open}"
    );
    assert!(ok(&db, &["invitations", "list", "--search", "kim"]).starts_with("0 invitations"));
    assert!(refused(&db, &["invitations", "list", "--state", "lost"]).contains("--state must be"));

    // Resend and cancel: the open one is changed, the closed one named (exit 1).
    let out = orgdesk(&db, &["invitations", "resend", &newest, &first], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).trim(), "Resent 1 invitations.");
    assert!(
        text(&out.stderr).contains("Dee Ray: The invitation to Dee Ray is already cancelled"),
        "{}",
        text(&out.stderr)
    );
    let out = orgdesk(&db, &["invitations", "cancel", &newest, "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(json(&out), serde_json::json!({"changed": 1, "skipped": []}));
    assert_eq!(
        orgdesk(&db, &["invitations", "cancel"], None).status.code(),
        Some(2)
    );
}

#[test]
fn invite_hands_over_to_a_reachable_gateway_and_prints_a_link() {
    let gw = gateway();
    let (_dir, db) = new_acme();
    let (dee, kim) = invitees(&db);
    let token = format!("{}\n", gw.token);
    let invite = |who: &str, extra: &[&str]| {
        let mut args = vec!["invite", who, "--gateway", &gw.base, "--token-stdin"];
        args.extend(extra);
        orgdesk(&db, &args, Some(&token))
    };

    let link = crate::support::ok(&invite(&kim, &[]));
    assert!(
        link.trim().starts_with(&gw.base) && !link.trim().contains(' '),
        "{link}"
    );

    let mailed = invite(&dee, &["--language", "zh-CN"]);
    assert_eq!(
        crate::support::ok(&mailed).trim(),
        "An invitation (zh-CN) was mailed to dee@example.com."
    );
    let mail = super::first_mail(&gw.mail_dir(), "no invitation mail arrived");
    assert!(mail.contains("dee@example.com"), "{mail}");
    // "邀请您加入" (invites you to join), as the mail's subject encodes it.
    assert!(
        mail.contains("6YKA6K+35oKo5Yqg5YWl"),
        "a Chinese mail: {mail}"
    );

    let listed = json(&orgdesk(&db, &["invitations", "list", "--json"], None));
    assert_eq!(listed["rows"][0]["state"], "sent");
    assert_eq!(listed["rows"][1]["link"].as_str(), Some(link.trim()));
}
