//! What the link's suites share: a real gateway in this process, on loopback.

use std::path::Path;

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
