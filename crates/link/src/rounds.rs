//! The two rounds the desktop runs against the gateway.
//!
//! [`send_round`] carries what the directory has for the gateway, in this order: the account
//! mirror (so usernames are reserved before anything else), refusals of accounts the
//! directory would not take, join decisions, then invitation work. [`pull_round`] applies one
//! page of the event feed in one transaction with its cursor, then acknowledges it. Both can
//! stop at any point and run again without losing or doubling anything: every piece of work
//! stays queued in the directory until the gateway's answer is recorded, and creates carry an
//! idempotency key.

use orgdesk_core::gateway_accounts::MirrorItem;
use orgdesk_core::invitations::{GatewayAction, GatewayWork, OutboxResult, WorkResult};
use orgdesk_core::types::MemberId;
use orgdesk_protocol::{MirrorAccounts, MAX_MIRRORED_ACCOUNTS};

use crate::client::{CallError, GatewayClient};
use crate::{with_directory, SharedDirectory};

/// What one send round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Accounts the gateway now mirrors as the directory has them.
    pub mirrored: usize,
    /// Why the mirror could not be sent, if it could not (the caller waits before retrying).
    pub mirror_failed: Option<String>,
    pub refusals: usize,
    pub decisions: usize,
    /// Invitation creates, resends and cancels carried out (answered either way).
    pub invitations: usize,
    /// Whether the gateway answered the last invitation call, and if not, why.
    pub last_contact: Option<Result<(), String>>,
    /// Work that was due but must wait: why, for the status line.
    pub waiting: Vec<String>,
}

impl SendReport {
    /// Something was sent: another round may find more.
    pub fn busy(&self) -> bool {
        self.mirrored + self.refusals + self.decisions + self.invitations > 0
    }
}

/// Sends everything due now. `mirror` is false while the caller waits after a failed mirror.
pub async fn send_round(dir: &SharedDirectory, client: &GatewayClient, mirror: bool) -> SendReport {
    let mut report = SendReport::default();
    if mirror {
        let limit = MAX_MIRRORED_ACCOUNTS as u32;
        let items = with_directory(dir, move |d| d.due_account_mirror(limit))
            .await
            .unwrap_or_default();
        if !items.is_empty() {
            match push_mirror(dir, client, items).await {
                Ok(n) => report.mirrored = n,
                Err(why) => report.mirror_failed = Some(why),
            }
        }
    }

    let refusals = with_directory(dir, |d| d.due_account_refusals(20))
        .await
        .unwrap_or_default();
    for refusal in refusals {
        let result = client
            .refuse_account(&refusal.account_id, &refusal.reason)
            .await;
        // A gateway that never had the account has nothing to remove.
        let retry = match result {
            Ok(()) => None,
            Err(e) if e.is_not_found() => None,
            Err(e) => Some(e.message().to_owned()),
        };
        if let Some(why) = &retry {
            report.waiting.push(why.clone());
        }
        report.refusals += usize::from(retry.is_none());
        let _ = with_directory(dir, move |d| {
            d.account_refusal_done(&refusal, retry.as_deref())
        })
        .await;
    }

    let outbox = with_directory(dir, |d| d.due_gateway_outbox(20))
        .await
        .unwrap_or_default();
    for item in outbox {
        let result = match item.kind.as_str() {
            "join_decision" => {
                client
                    .decide_join_request(&item.target, item.value == "approved")
                    .await
            }
            // Written by directories older than the account mirror: the mirror carries it now.
            _ => Ok(()),
        };
        // A request the gateway already closed, or never had, is nothing to retry.
        let done = match result {
            Ok(()) | Err(CallError::Refused { .. }) => OutboxResult::Done,
            Err(CallError::Retry(why) | CallError::TokenRefused(why)) => {
                report.waiting.push(why.clone());
                OutboxResult::Retry(why)
            }
        };
        report.decisions += usize::from(done == OutboxResult::Done);
        let _ = with_directory(dir, move |d| d.gateway_outbox_done(&item, done)).await;
    }

    let due = with_directory(dir, |d| d.due_gateway_work(20))
        .await
        .unwrap_or_default();
    for work in due {
        let result = carry_out(client, &work).await;
        report.last_contact = Some(match &result {
            WorkResult::Retry(why) => Err(why.clone()),
            _ => Ok(()),
        });
        report.invitations += 1;
        let _ = with_directory(dir, move |d| d.gateway_work_done(&work, result)).await;
    }
    report
}

async fn push_mirror(
    dir: &SharedDirectory,
    client: &GatewayClient,
    items: Vec<MirrorItem>,
) -> Result<usize, String> {
    let request = MirrorAccounts {
        accounts: items.iter().map(|i| i.account.clone()).collect(),
    };
    let answer = client
        .mirror_accounts(&request)
        .await
        .map_err(|e| e.message().to_owned())?;
    let n = items.len();
    with_directory(dir, move |d| {
        d.account_mirror_done(&items, &answer.account_ids)
    })
    .await?;
    Ok(n)
}

/// Carries out one piece of invitation work and says how it ended.
async fn carry_out(client: &GatewayClient, work: &GatewayWork) -> WorkResult {
    let answer = match &work.action {
        GatewayAction::Create(req) => client.create(&work.idempotency_key, req).await,
        GatewayAction::Resend | GatewayAction::Cancel => {
            let Some(id) = &work.gateway_id else {
                return WorkResult::Refused("The gateway never received this invitation.".into());
            };
            if work.action == GatewayAction::Cancel {
                return match client.cancel_invitation(id).await {
                    Ok(()) => WorkResult::Cancelled,
                    Err(e) => failed(e),
                };
            }
            client.resend_invitation(id).await
        }
    };
    match answer {
        Ok(c) => WorkResult::Linked {
            gateway_id: c.invitation_id,
            link: c.link,
            expires_at_secs: c.expires_at,
        },
        Err(e) => failed(e),
    }
}

fn failed(e: CallError) -> WorkResult {
    match e {
        CallError::Retry(why) | CallError::TokenRefused(why) => WorkResult::Retry(why),
        CallError::Refused { message, .. } => WorkResult::Refused(message),
    }
}

/// Events asked for per page.
pub const FEED_PAGE: u32 = 200;

/// The pause after a page that stopped short, waiting for the sender to record an answer.
const HELD_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// What one pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Events on the page (including ones passed over).
    pub events: usize,
    /// Members whose record changed (joined, new details), for the window to refresh.
    pub changed: Vec<MemberId>,
    /// The page was short: nothing more is waiting now.
    pub caught_up: bool,
}

/// Applies one page of the feed, waiting up to `wait` seconds for one. `still_current` is
/// asked before applying: false drops the page (the admin switched gateways meanwhile).
pub async fn pull_round(
    dir: &SharedDirectory,
    client: &GatewayClient,
    wait: u64,
    still_current: impl Fn() -> bool,
) -> Result<PullReport, String> {
    let after = with_directory(dir, |d| d.gateway_event_cursor()).await?;
    let page = client
        .events(after, FEED_PAGE, wait)
        .await
        .map_err(|e| e.message().to_owned())?;
    let events = page.events.len();
    let caught_up = events < FEED_PAGE as usize;
    if page.next_cursor == after || !still_current() {
        return Ok(PullReport {
            events,
            changed: Vec::new(),
            caught_up,
        });
    }
    let next = page.next_cursor;
    let (changed, reached) = with_directory(dir, move |d| {
        let changed = d.apply_gateway_events(&page.events, next)?;
        Ok((changed, d.gateway_event_cursor()?))
    })
    .await?;
    // Applied durably: the gateway may forget them. A failed ack is harmless (the next page
    // starts after the cursor anyway).
    let _ = client.ack_events(reached).await;
    let held = reached < next;
    if held {
        // The page stopped at an event about an invitation whose creation's answer is not
        // recorded yet (see `Directory::apply_gateway_events`): give the sender a moment rather
        // than asking again at once.
        tokio::time::sleep(HELD_PAUSE).await;
    }
    Ok(PullReport {
        events,
        changed,
        caught_up: caught_up && !held,
    })
}
