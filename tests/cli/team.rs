//! `orgdesk sync` on a computer enrolled in a team: its pending commands go to the
//! organization's change log under its device, and the log comes back applied.

use orgdesk_core::auth::AdminRank;
use orgdesk_core::team::Command;
use orgdesk_core::Directory;
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::RegisterDevice;

use super::join::gateway;
use super::new_acme;
use crate::support::{json, ok, orgdesk, text};

#[test]
fn sync_sends_this_computers_commands_and_applies_the_change_log() {
    let gw = gateway();
    let (_tmp, db) = new_acme();
    let sync = |token: &str, extra: &[&str]| {
        let mut args = vec!["sync", "--gateway", gw.base.as_str(), "--token-stdin"];
        args.extend(extra);
        orgdesk(&db, &args, Some(&format!("{token}\n")))
    };
    // The organization's token mirrors Ann's account and binds her to it.
    ok(&sync(&gw.token, &[]));
    let (ann, account) = {
        let d = Directory::open(&db).unwrap();
        let ann = d.initial_admin_id().unwrap();
        (ann, d.gateway_account_of(ann).unwrap().unwrap())
    };
    // This computer becomes Ann's device, and she makes a change on it.
    let admin = GatewayClient::new(Endpoint {
        base: gw.base.clone(),
        token: gw.token.clone(),
    });
    let register = RegisterDevice {
        account_id: account.clone(),
        device_name: "Office PC".into(),
    };
    let device = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(admin.register_device(&register))
        .unwrap();
    {
        let mut d = Directory::open(&db).unwrap();
        d.set_team_device_account(&account).unwrap();
        let actor = d.admin_actor(ann, AdminRank::Admin).unwrap();
        let parent_id = d.resolve_department_path("").unwrap();
        let name = "Operations".into();
        let create = Command::CreateDepartment { parent_id, name };
        d.queue_command(&actor, create).unwrap();
        assert!(d.resolve_department_path("Operations").is_err());
    }

    let said = ok(&sync(&device.device_token, &[]));
    assert!(
        said.contains("Team: 1 changes sent, 1 applied, 0 refused."),
        "{said}"
    );
    let d = Directory::open(&db).unwrap();
    assert!(d.resolve_department_path("Operations").is_ok());
    assert!(d.pending_commands().unwrap().is_empty());
    assert_eq!(d.team_cursor().unwrap(), 1);
    drop(d);
    let again = sync(&device.device_token, &["--json"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let v = json(&again);
    assert_eq!(
        (v["changesSent"].as_u64(), v["changesApplied"].as_u64()),
        (Some(0), Some(0))
    );
}
