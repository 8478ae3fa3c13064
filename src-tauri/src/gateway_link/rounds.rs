//! The two loops that run the link's rounds while the app is open: the sender (due work and the
//! account mirror, `orgdesk_link::send_round`) and the feed (`orgdesk_link::pull_round`).

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::{directory, notice, GatewayLink, DIRECTORY_CHANGED, INVITATIONS_CHANGED};
use crate::state::AppState;

/// Carries due work to the gateway until the app ends (see `orgdesk_link::send_round`).
pub(super) async fn sender<R: Runtime>(app: AppHandle<R>) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let dir = app.state::<AppState>().shared_directory();
    // The mirror is computed, not queued: after a failure it waits, doubling from 5 s.
    let mut mirror_failures = 0u32;
    let mut mirror_not_before = tokio::time::Instant::now();
    loop {
        let mut busy = false;
        if let Some(endpoint) = link.endpoint() {
            let client = orgdesk_link::GatewayClient::new(endpoint);
            let mirror = tokio::time::Instant::now() >= mirror_not_before;
            let report = orgdesk_link::send_round(&dir, &client, mirror).await;
            if let Some(why) = report.mirror_failed.clone() {
                mirror_failures += 1;
                let secs = (5u64 << mirror_failures.min(8)).min(900);
                mirror_not_before = tokio::time::Instant::now() + Duration::from_secs(secs);
                link.set_status(|s| {
                    s.connected = false;
                    s.last_error = Some(why);
                });
            } else if report.mirrored > 0 {
                mirror_failures = 0;
            }
            if let Some(contact) = report.last_contact.clone() {
                link.set_status(|s| {
                    s.connected = contact.is_ok();
                    s.last_error = contact.err();
                });
            }
            busy = report.busy();
        }
        if busy {
            let _ = app.emit(INVITATIONS_CHANGED, ());
            // On a computer in a team an invitation sent is told to the others as a change.
            link.ring_team();
            continue;
        }
        // Refusals and the mirror are looked at on every round; a round comes at least every 30 s.
        let next = directory(&app, |d| d.next_gateway_work_at())
            .await
            .ok()
            .flatten();
        let now = directory(&app, |d| Ok(d.now_ms())).await.unwrap_or(0);
        let wait = next
            .map(|at| Duration::from_millis((at - now).clamp(50, 30_000) as u64))
            .unwrap_or(Duration::from_secs(30));
        let _ = tokio::time::timeout(wait, link.bell.notified()).await;
    }
}

/// Follows the event feed until the app ends (see `orgdesk_link::pull_round`).
pub(super) async fn feed<R: Runtime>(app: AppHandle<R>) {
    let Some(link) = app.try_state::<Arc<GatewayLink>>().map(|l| Arc::clone(&l)) else {
        return;
    };
    let dir = app.state::<AppState>().shared_directory();
    let mut backoff = Duration::from_secs(1);
    // Requests brought in while the window was closed (by `orgdesk sync`) are told now.
    let mut announced = None;
    notice::announce(&app, &link, &mut announced).await;
    loop {
        let Some(endpoint) = link.endpoint() else {
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        };
        let generation = link.generation();
        let client = orgdesk_link::GatewayClient::new(endpoint);
        let still_current = || link.generation() == generation;
        match orgdesk_link::pull_round(&dir, &client, 25, still_current).await {
            Ok(report) => {
                backoff = Duration::from_secs(1);
                if report.events > 0 {
                    let _ = app.emit(INVITATIONS_CHANGED, ());
                    // On a computer in a team a join request came in as a change to send.
                    link.ring_team();
                }
                // After every round that reached the feed's end, not only one that brought
                // events (`orgdesk sync` may have brought requests in meanwhile); a backlog's
                // full pages are applied first.
                if report.caught_up {
                    notice::announce(&app, &link, &mut announced).await;
                }
                if !report.changed.is_empty() {
                    let _ = app.emit(DIRECTORY_CHANGED, ());
                }
                link.set_status(|s| {
                    s.connected = true;
                    s.last_error = None;
                });
            }
            Err(why) => {
                link.set_status(|s| {
                    s.connected = false;
                    s.last_error = Some(why);
                });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}
