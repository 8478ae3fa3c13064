//! Team mode's round: this computer's pending commands go to the organization's change log,
//! then the log after the directory's cursor comes back and is applied in order through the
//! core. Both halves can stop at any point and run again: a command stays queued until it
//! comes back from the log, a retried send appends nothing twice (its change id), and a
//! change is applied in one transaction with the cursor. Every [`SNAPSHOT_EVERY`] changes of
//! the log, the directory as it stands there goes to the gateway as the team's newer snapshot,
//! from which a computer joining later starts.

use orgdesk_core::team::{ChangeOutcome, PendingCommand};
use orgdesk_protocol::{AppendChanges, NewChange, MAX_CHANGES_LIMIT, MAX_CHANGES_PER_APPEND};

use crate::client::{CallError, GatewayClient};
use crate::{with_directory, SharedDirectory};

/// How often the team's snapshot is renewed: at every position of the log that is a multiple
/// of this (10,000, 20,000 …), each computer that applies the change there puts the directory
/// as it stands after it. Those are equal on every computer, the gateway keeps the newest per
/// organization, and a computer joining later replays fewer than this many changes after it
/// (about 5 s at 100,000 members; writing a snapshot there takes about 0.35 s and 3 MB).
pub const SNAPSHOT_EVERY: i64 = 10_000;

/// What one team round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamReport {
    /// Commands of this computer appended to the log (or found there already).
    pub sent: usize,
    /// Commands made by admins of another account, which this device cannot send for them.
    pub not_ours: usize,
    /// Why the commands could not be sent, if they could not (they stay queued); also why the
    /// gateway refused this device's token, when it did.
    pub send_failed: Option<String>,
    /// The gateway refused this device's token (revoked, or its account disabled), when it
    /// was sending or reading the log: the round stopped there, and what was not sent stays
    /// queued.
    pub token_refused: bool,
    /// Changes of the log applied, and refused (all computers refuse the same ones).
    pub applied: usize,
    pub refused: usize,
    /// The log's end was reached.
    pub caught_up: bool,
    /// The position of the snapshot the gateway keeps, when this round put one.
    pub snapshot: Option<i64>,
    /// Why a snapshot due this round could not be put (the next due one is put all the same,
    /// and the other computers put this one).
    pub snapshot_failed: Option<String>,
}

/// The bytes of change bodies one append carries at most: a gateway takes request bodies of
/// 256 KiB unless configured otherwise (`max_body_bytes`), and one change may be 64 KiB (a
/// part of an import is close to that).
const APPEND_BODY_BYTES: usize = 192 * 1024;

/// The pending commands in the appends that carry them: at most
/// [`MAX_CHANGES_PER_APPEND`] changes and [`APPEND_BODY_BYTES`] of bodies each (a single
/// larger change goes alone), in order.
fn appends(ours: &[PendingCommand]) -> Vec<&[PendingCommand]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, p) in ours.iter().enumerate() {
        let size = serde_json::to_string(&p.body).map_or(0, |b| b.len());
        if i > start && (i - start == MAX_CHANGES_PER_APPEND || bytes + size > APPEND_BODY_BYTES) {
            out.push(&ours[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < ours.len() {
        out.push(&ours[start..]);
    }
    out
}

/// Sends what this computer queued under the device whose client is given (its account
/// `account_id`: a command goes out only under its own author's account), then applies the
/// log's pages until its end, waiting up to `wait` seconds for the first, and puts the team's
/// snapshot at each multiple of [`SNAPSHOT_EVERY`] it applies.
pub async fn team_round(
    dir: &SharedDirectory,
    device: &GatewayClient,
    account_id: &str,
    wait: u64,
) -> Result<TeamReport, String> {
    team_round_every(dir, device, account_id, wait, SNAPSHOT_EVERY).await
}

/// [`team_round`], putting the snapshot every `snapshot_every` changes instead (0: never).
pub async fn team_round_every(
    dir: &SharedDirectory,
    device: &GatewayClient,
    account_id: &str,
    wait: u64,
    snapshot_every: i64,
) -> Result<TeamReport, String> {
    let mut report = TeamReport::default();
    let account = account_id.to_owned();
    let (ours, not_ours) = with_directory(dir, move |d| {
        let mut ours = Vec::new();
        let mut others = 0;
        for p in d.pending_commands()? {
            if d.gateway_account_of(p.author_id)?.as_deref() == Some(account.as_str()) {
                ours.push(p);
            } else {
                others += 1;
            }
        }
        Ok((ours, others))
    })
    .await?;
    report.not_ours = not_ours;
    for chunk in appends(&ours) {
        let request = AppendChanges {
            changes: chunk.iter().map(new_change).collect(),
        };
        // What cannot be sent now stays queued; the log is read all the same.
        match device.append_changes(&request).await {
            Ok(placed) => report.sent += placed.changes.len(),
            Err(e) => {
                report.send_failed = Some(e.message().to_owned());
                if matches!(e, CallError::TokenRefused(_)) {
                    report.token_refused = true;
                    return Ok(report);
                }
                break;
            }
        }
    }
    let mut wait = wait;
    loop {
        let after = with_directory(dir, |d| d.team_cursor()).await?;
        let page = match device.changes(after, MAX_CHANGES_LIMIT, wait).await {
            Ok(page) => page,
            Err(CallError::TokenRefused(why)) => {
                report.token_refused = true;
                report.send_failed = Some(why);
                return Ok(report);
            }
            Err(e) => return Err(e.message().to_owned()),
        };
        wait = 0;
        let n = page.changes.len();
        let (outcomes, due) = with_directory(dir, move |d| {
            let mut outcomes = Vec::with_capacity(page.changes.len());
            let mut due = None;
            for c in &page.changes {
                let outcome = d.apply_change(c)?;
                let here = snapshot_every > 0 && c.seq % snapshot_every == 0;
                if here && outcome != ChangeOutcome::AlreadyApplied {
                    let at = u64::try_from(c.seq).unwrap_or_default();
                    due = Some((c.seq, d.write_snapshot(at)?));
                }
                outcomes.push(outcome);
            }
            Ok((outcomes, due))
        })
        .await?;
        if let Some((at_seq, snapshot)) = due {
            match device.put_snapshot(at_seq, snapshot).await {
                Ok(kept) => report.snapshot = Some(kept.at_seq),
                Err(e) => report.snapshot_failed = Some(e.message().to_owned()),
            }
        }
        for o in outcomes {
            match o {
                ChangeOutcome::Applied { .. } => report.applied += 1,
                ChangeOutcome::Refused { .. } => report.refused += 1,
                ChangeOutcome::AlreadyApplied => {}
            }
        }
        if n < MAX_CHANGES_LIMIT as usize {
            report.caught_up = true;
            return Ok(report);
        }
    }
}

fn new_change(p: &PendingCommand) -> NewChange {
    NewChange {
        change_id: p.change_id.clone(),
        body: p.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::team::PendingCommand;
    use orgdesk_core::types::MemberId;

    use super::{appends, APPEND_BODY_BYTES};

    fn pending(bytes: usize) -> PendingCommand {
        let body = serde_json::json!({"args": "x".repeat(bytes)});
        PendingCommand {
            change_id: "c".into(),
            author_id: MemberId(1),
            queued_at: 0,
            body: body.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn appends_stay_within_the_gateways_request_size_and_count() {
        // Ten parts of an import, 60 KiB each: three to an append.
        let big: Vec<PendingCommand> = (0..10).map(|_| pending(60 * 1024)).collect();
        let sizes: Vec<usize> = appends(&big).iter().map(|a| a.len()).collect();
        assert_eq!(sizes, [3, 3, 3, 1]);
        // One change larger than an append's share goes alone, in its place.
        let mixed = [pending(10), pending(APPEND_BODY_BYTES), pending(10)];
        let sizes: Vec<usize> = appends(&mixed).iter().map(|a| a.len()).collect();
        assert_eq!(sizes, [1, 1, 1]);
        // Small changes: 500 to an append.
        let small: Vec<PendingCommand> = (0..1001).map(|_| pending(10)).collect();
        let sizes: Vec<usize> = appends(&small).iter().map(|a| a.len()).collect();
        assert_eq!(sizes, [500, 500, 1]);
        assert!(appends(&[]).is_empty());
    }
}
