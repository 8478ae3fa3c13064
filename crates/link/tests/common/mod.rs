//! What the link's suites share: a real gateway in this process, on loopback.
#![allow(dead_code)] // each suite uses a different subset

use std::path::Path;

use orgdesk_link::GatewayClient;
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
