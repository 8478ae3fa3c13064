//! What the link's suites share: a real gateway in this process, on loopback.
#![allow(dead_code)] // each suite uses a different subset

use std::path::Path;

use orgdesk_core::organization::SetupInput;
use orgdesk_core::Directory;
use orgdesk_link::{Endpoint, GatewayClient};
use orgdesk_protocol::{AccountState, MirrorAccounts, MirroredAccount};

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
