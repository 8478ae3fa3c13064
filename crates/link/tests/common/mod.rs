//! What the link's suites share: a real gateway in this process, on loopback.
#![allow(dead_code)] // each suite uses a different subset

use std::path::Path;

use orgdesk_core::organization::SetupInput;
use orgdesk_core::Directory;
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::{
    AccountState, DeviceCredential, JoinTeam, MirrorAccounts, MirroredAccount, RegisterDevice,
};

/// A gateway keeping its database and mail in `files`, with the organization "Acme"; its
/// public address and Acme's API token.
pub async fn acme_gateway(files: &Path) -> (orgdesk_gateway::Gateway, String, String) {
    let config = orgdesk_gateway::Config::local(
        files.join("gateway.db").display().to_string(),
        files.join("mail"),
    );
    let gateway = orgdesk_gateway::serve(config).await.unwrap();
    let creds = gateway.create_organization("Acme").await.unwrap();
    let base = gateway.public_url().to_owned();
    (gateway, base, creds.api_token)
}

/// A client of the gateway at `base` with this token (none: an empty one).
pub fn client(base: &str, token: impl Into<String>) -> GatewayClient {
    GatewayClient::new(Endpoint {
        base: base.to_owned(),
        token: token.into(),
    })
}

/// The computer holding the API token (`admin`) registered as the first device of `account_id`.
pub async fn office_pc(admin: &GatewayClient, account_id: &str) -> DeviceCredential {
    let device = RegisterDevice {
        account_id: account_id.to_owned(),
        device_name: "Office PC".into(),
    };
    admin.register_device(&device).await.unwrap()
}

/// A laptop joining the team at `base` as `username` (of `account_id`, with `password`) with an
/// enrollment code `office` asks for: a client with the laptop's own credential.
pub async fn join_laptop(
    base: &str,
    office: &GatewayClient,
    account_id: &str,
    username: &str,
    password: &str,
) -> GatewayClient {
    let code = office.create_enrollment(account_id).await.unwrap();
    let joined = client(base, String::new())
        .join_team(&JoinTeam {
            code: code.code,
            username: username.into(),
            password: password.into(),
            device_name: "Laptop".into(),
        })
        .await
        .unwrap();
    client(base, joined.device_token)
}

/// A new directory in the file `path` for "Acme", set up by its Super Admin Ann Lee ("ann",
/// with `password`).
pub fn acme_directory(path: &Path, password: &str) -> Directory {
    let mut d = Directory::open(path).unwrap();
    d.setup_organization(&SetupInput {
        organization_name: "Acme".into(),
        admin_name: "Ann Lee".into(),
        username: "ann".into(),
        password: password.into(),
        password_confirm: password.into(),
    })
    .unwrap();
    d
}

/// Mirrors one enabled account, `username` with `password`, through `client`: its account id.
pub async fn mirror_enabled(client: &GatewayClient, username: &str, password: &str) -> String {
    client
        .mirror_accounts(&MirrorAccounts {
            accounts: vec![MirroredAccount {
                account_id: None,
                username: username.into(),
                password_hash: Some(orgdesk_core::password::hash(password).unwrap()),
                state: AccountState::Enabled,
                name: "Li Wei".into(),
                email: None,
                mobile: None,
                must_change_password: false,
            }],
        })
        .await
        .unwrap()
        .account_ids
        .remove(0)
}
