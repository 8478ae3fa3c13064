//! Team mode in the real window. Ann's laptop joined the team with `orgdesk team join` (its
//! directory made from the team's snapshot, only its own credential in its keyring) and has the
//! window open; what the command line changes on the office's directory appears in it without
//! a click, an edit made in it reaches the office, both directories end equal, and once the
//! office revokes the laptop the window says it was removed from the team. One gateway process
//! on loopback, stopped when the scenario ends.

use std::path::{Path, PathBuf};

use crate::directory::{member_id, open_members, NODES, ROWS};
use crate::harness::{
    back_to_english, cli, click, click_to_open, displayed, member_json, switch_language, type_into,
    until_hidden, wait_text, wait_until_shown,
};
use crate::invitations::close_with_escape;
use crate::processes::{free_port, Gateway};
use crate::scenarios::{sign_in, Ctx, Kept, PASSWORD};
use crate::support::{enroll_and_join, init_acme, json, member_add, ok, orgdesk, stored_tokens};

/// What the scenario keeps running: the team's gateway and the office's directory.
struct Team {
    _gateway: Gateway,
    office: PathBuf,
    _files: tempfile::TempDir,
}

/// The office, Ann's Super Admin computer, sets up Acme with a Sales department, connects
/// the gateway, starts the team and enrolls Ann's laptop, which joins into `db`.
pub fn prepare(db: &Path) -> Kept {
    let files = tempfile::tempdir().unwrap();
    let gateway = Gateway::start_on_sqlite(files.path(), free_port());
    let office = files.path().join("office.db");
    ok(&init_acme(&office, Some("Ann Lee")));
    let token = Some(gateway.token.as_str());
    cli(
        &office,
        &["gateway", "use", &gateway.url, "--token-stdin"],
        token,
    );
    cli(&office, &["dept", "add", "Sales"], None);
    // The gateway learns Ann's account; then this computer becomes her first device.
    cli(&office, &["sync"], None);
    cli(
        &office,
        &["team", "start", "--device-name", "Office PC"],
        None,
    );
    enroll_and_join(&office, db, &gateway.url, "ann");
    // The laptop holds its own credential and never the organization's token.
    let kept = stored_tokens(db);
    let names: Vec<&String> = kept.as_object().unwrap().keys().collect();
    assert_eq!(names, [&format!("device {}", gateway.url)]);
    Box::new(Team {
        _gateway: gateway,
        office,
        _files: files,
    })
}

/// Waits until each of the gateway card's lines (`id`) starts with its text.
async fn card_says(d: &thirtyfour::WebDriver, lines: &[(&str, &str)]) {
    for (id, start) in lines {
        wait_text(d, id, |t| t.starts_with(start)).await;
    }
}

pub async fn changes_cross_between_the_window_and_another_computer(mut c: Ctx) {
    let team = c.kept.take().expect("prepared").downcast::<Team>();
    let team = team.expect("the team's processes");
    let d = &c.d;
    sign_in(d, "ann", PASSWORD).await;
    wait_text(d, "header-user", |t| t.contains("Ann Lee")).await;
    // The window remembers the language an earlier scenario chose; this one reads English.
    back_to_english(d).await;
    // The window reaches the team's gateway with this computer's own credential.
    click(d, "nav-settings").await;
    wait_text(d, "gateway-card-status", |t| {
        t.contains("through this computer's team credential")
    })
    .await;
    // The card says how: this computer's own credential, enrolled for Ann; it never asks for
    // the organization's token, nor offers another gateway.
    card_says(
        d,
        &[
            (
                "gateway-team-credential",
                "This computer's own device credential",
            ),
            (
                "gateway-team-computer",
                "ann's computer, enrolled for Ann Lee (ann)",
            ),
        ],
    )
    .await;
    for absent in ["gateway-token", "gateway-choice-remote"] {
        let shown = displayed(d, absent, std::time::Duration::ZERO).await;
        assert!(shown.is_none(), "{absent} is shown on a joined computer");
    }
    c.h.screenshot(d, "60-team-gateway-card").await;
    open_members(d).await;
    wait_until_shown(d, NODES, "Sales").await;

    // Through the command line on the office: a department renamed, a member added to it.
    let office = team.office.as_path();
    cli(
        office,
        &["dept", "rename", "Sales", "Sales & Marketing"],
        None,
    );
    let dana = member_add("Dana Reed", "dana", "Sales & Marketing", &[]);
    cli(office, &dana, Some(PASSWORD));
    // Both appear in the open window without a click.
    wait_until_shown(d, NODES, "Sales & Marketing").await;
    wait_until_shown(d, ROWS, "Dana Reed").await;
    c.h.screenshot(d, "61-team-change-from-another-computer")
        .await;

    // An edit made in the window goes through the team's log: saved once it is back.
    let dana = member_id(&c.db, "dana");
    click_to_open(d, &format!("member-name-{dana}"), "action-edit").await;
    click_to_open(d, "action-edit", "edit-work-location").await;
    type_into(d, "edit-work-location", "Lisbon").await;
    click(d, "edit-save").await;
    until_hidden(d, "edit-save").await;
    assert_eq!(member_json(&c.db, "dana")["workLocation"], "Lisbon");
    // The office's next sync brings it, and both directories end equal.
    let synced = json(&orgdesk(office, &["sync", "--json"], None));
    assert_eq!(synced["changesApplied"], 1, "{synced}");
    assert_eq!(member_json(office, "dana")["workLocation"], "Lisbon");
    let checksum = |db: &Path| ok(&orgdesk(db, &["directory", "checksum"], None));
    assert_eq!(checksum(office), checksum(&c.db));

    // The office revokes this computer: the window stops and says why.
    let devices = json(&orgdesk(office, &["team", "devices", "--json"], None));
    let laptop = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|device| device["device_name"] == "ann's computer")
        .and_then(|device| device["device_id"].as_str())
        .unwrap_or_else(|| panic!("{devices}"));
    cli(office, &["team", "revoke", laptop], None);
    close_with_escape(d, "action-edit").await;
    click(d, "nav-settings").await;
    wait_text(d, "gateway-card-status", |t| {
        t.starts_with("This computer was removed from the team")
    })
    .await;
    c.h.screenshot(d, "62-team-computer-removed").await;
    // In Chinese, the window says it in Chinese.
    switch_language(d, "zh").await;
    card_says(
        d,
        &[
            ("gateway-card-status", "本机已被移出团队"),
            ("gateway-team-credential", "本机自己的设备凭据"),
        ],
    )
    .await;
    c.h.screenshot(d, "63-team-computer-removed-zh").await;
    back_to_english(d).await;
}
