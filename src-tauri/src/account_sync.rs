//! Tells the gateway who is who in the directory: the accounts of members as the directory
//! has them (the mirror), and the registrations or joins the directory refused. Plain HTTP
//! over the protocol's types; the sender in `gateway_link` decides when.

use std::time::Duration;

use orgdesk_core::gateway_accounts::{AccountRefusal, MirrorItem};
use orgdesk_protocol::{MirrorAccounts, MirroredAccounts, RefuseAccount};

use crate::gateway_link::problem;

/// Sends one batch of the mirror; the account ids the gateway keeps, in order, or why not.
pub(crate) async fn push_mirror(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    items: &[MirrorItem],
) -> Result<Vec<String>, String> {
    let body = MirrorAccounts {
        accounts: items.iter().map(|i| i.account.clone()).collect(),
    };
    let response = http
        .post(format!("{base}/api/v1/accounts/mirror"))
        .bearer_auth(token)
        .json(&body)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| format!("The gateway could not be reached ({e})."))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(problem(status, &text));
    }
    let answer: MirroredAccounts = serde_json::from_str(&text)
        .map_err(|e| format!("The gateway's answer was not understood ({e})."))?;
    if answer.account_ids.len() != items.len() {
        return Err("The gateway answered for a different number of accounts.".into());
    }
    Ok(answer.account_ids)
}

/// Tells the gateway to remove an account the directory refused. `None` when done (or when
/// the gateway never had it); otherwise why it should be tried again.
pub(crate) async fn push_refusal(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    refusal: &AccountRefusal,
) -> Option<String> {
    let mut url = match reqwest::Url::parse(base) {
        Ok(u) => u,
        Err(e) => return Some(format!("The gateway address is not valid ({e}).")),
    };
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend([
            "api",
            "v1",
            "accounts",
            refusal.account_id.as_str(),
            "refusal",
        ]);
    }
    let sent = http
        .post(url)
        .bearer_auth(token)
        .json(&RefuseAccount {
            reason: refusal.reason.clone(),
        })
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    match sent {
        Err(e) => Some(format!("The gateway could not be reached ({e}).")),
        Ok(r) => {
            let status = r.status();
            if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
                None
            } else {
                let body = r.text().await.unwrap_or_default();
                Some(problem(status, &body))
            }
        }
    }
}
