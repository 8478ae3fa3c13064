//! Signing in to the member's page: the accounts a username may name, failed sign-ins counted
//! per account and per client address with growing waits, sessions, and the pruning of
//! stale sessions and counters.

use async_trait::async_trait;
use orgdesk_protocol::AccountState;

use crate::error::Result;
use crate::store::Member;

/// An account a sign-in may be for (the same username can exist in several organizations
/// served by one gateway).
#[derive(Debug, Clone)]
pub struct SignInCandidate {
    pub org_id: String,
    pub account_id: String,
    pub username_key: String,
    pub username: String,
    /// Empty for an account that only reserves its username: no password opens it.
    pub password_hash: String,
    pub state: AccountState,
    /// Why the directory refused this account, shown once the password is proven.
    pub refused_reason: Option<String>,
}

/// When repeated sign-in failures lock a key (a username or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures before the first refusal.
    pub threshold: u32,
    pub initial_secs: i64,
    pub max_secs: i64,
    /// Failures older than this no longer count.
    pub forget_after_secs: i64,
}

/// The failure counter of one account: per organization and username, so that guesses at
/// one organization's "alice" never hold up another's.
pub fn account_throttle_key(org_id: &str, username_key: &str) -> String {
    let user: String = username_key.chars().take(64).collect();
    format!("acct:{org_id}:{user}")
}

/// The failure counter of one client address (as `limits::client_key` gives it).
pub fn address_throttle_key(client_key: &str) -> String {
    format!("addr:{client_key}")
}

/// What charging a sign-in attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInCharge {
    /// The address is waiting until then: nothing was counted.
    pub address_until: Option<i64>,
    /// Per account key, in order: waiting until then (not counted), or `None` (counted).
    pub accounts_until: Vec<Option<i64>>,
}

impl SignInCharge {
    /// The attempt is refused outright: the address waits, or every account does. Until when.
    pub fn refused_until(&self) -> Option<i64> {
        if self.address_until.is_some() {
            return self.address_until;
        }
        if !self.accounts_until.is_empty() && self.accounts_until.iter().all(Option::is_some) {
            return self.accounts_until.iter().flatten().copied().max();
        }
        None
    }

    /// The latest wait among the accounts, if any waits.
    pub fn latest_wait(&self) -> Option<i64> {
        self.accounts_until.iter().flatten().copied().max()
    }
}

/// A counter as stored: failures, when the last one happened, until when it waits.
pub type FailureRow = (u32, i64, Option<i64>);

/// Decides a charge from the stored counters (`None`: no row): the answer, and the counters
/// to write as (index, failures, waits until) — index 0 is the address, 1.. the accounts.
pub fn plan_sign_in_charge(
    address: (Option<FailureRow>, LockoutPolicy),
    accounts: (&[Option<FailureRow>], LockoutPolicy),
    now: i64,
) -> (SignInCharge, Vec<(usize, u32, Option<i64>)>) {
    let waiting =
        |row: &Option<FailureRow>| row.and_then(|(_, _, until)| until.filter(|u| *u > now));
    let next = |row: &Option<FailureRow>, policy: LockoutPolicy| {
        let (failures, last, _) = row.unwrap_or((0, now, None));
        let failures = policy.current(failures, last, now).saturating_add(1);
        (
            failures,
            policy.delay(failures).map(|d| now.saturating_add(d)),
        )
    };
    let charge = SignInCharge {
        address_until: waiting(&address.0),
        accounts_until: accounts.0.iter().map(waiting).collect(),
    };
    if charge.refused_until().is_some() {
        return (charge, Vec::new());
    }
    let (failures, until) = next(&address.0, address.1);
    let mut writes = vec![(0, failures, until)];
    for (i, row) in accounts.0.iter().enumerate() {
        if charge.accounts_until[i].is_none() {
            let (failures, until) = next(row, accounts.1);
            writes.push((i + 1, failures, until));
        }
    }
    (charge, writes)
}

impl LockoutPolicy {
    /// How long a key is refused after its `failures`-th failure, if at all: from the
    /// threshold on, `initial · 2^(failures − threshold)`, capped at `max`.
    pub fn delay(&self, failures: u32) -> Option<i64> {
        if failures < self.threshold {
            return None;
        }
        let factor = 1i64
            .checked_shl(failures - self.threshold)
            .filter(|f| *f > 0);
        Some(
            factor
                .and_then(|f| self.initial_secs.checked_mul(f))
                .map_or(self.max_secs, |d| d.min(self.max_secs)),
        )
    }

    /// The failure count a new attempt at `now` adds to (old failures forgotten).
    pub fn current(&self, failures: u32, last_failure_at: i64, now: i64) -> u32 {
        if last_failure_at.saturating_add(self.forget_after_secs) <= now {
            0
        } else {
            failures
        }
    }
}

/// What counts as stale, as cut-off times: a row older than its cut-off is deleted. A
/// counter still making someone wait (`locked_until` after now) is kept whatever its age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleBefore {
    /// Sessions without a request since before this (idle limit)…
    pub session_seen: i64,
    /// …or started before this (absolute limit).
    pub session_started: i64,
    /// Sign-in counters whose last failure is older than this.
    pub sign_in_failure: i64,
    /// Wrong-code counters whose last failure is older than this.
    pub code_failure: i64,
}

/// How many rows one pruning batch deleted, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u32,
    pub sign_in_failures: u32,
    pub code_failures: u32,
    /// Team enrollment codes used, voided or expired.
    pub enrollment_codes: u32,
}

impl Pruned {
    pub fn total(&self) -> u64 {
        u64::from(self.sessions)
            + u64::from(self.sign_in_failures)
            + u64::from(self.code_failures)
            + u64::from(self.enrollment_codes)
    }

    /// Whether some kind filled its batch (there may be more).
    pub fn full(&self, limit: u32) -> bool {
        self.sessions >= limit
            || self.sign_in_failures >= limit
            || self.code_failures >= limit
            || self.enrollment_codes >= limit
    }
}

/// A sign-in attempt to count: the address's throttle key and the keys of the accounts it may
/// be for, each with its lockout policy.
#[derive(Debug, Clone, Copy)]
pub struct SignInAttempt<'a> {
    pub address: (&'a str, LockoutPolicy),
    pub accounts: (&'a [String], LockoutPolicy),
}

/// A session to record after a successful sign-in, with the attempt to forgive: `throttle`
/// is what [`SessionStore::forgive_sign_in`] takes (the matched key, the charged ones).
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub org_id: &'a str,
    pub username_key: &'a str,
    pub session_hash: [u8; 32],
    pub throttle: (&'a str, &'a [String]),
}

/// A session to look up by its hash, live if it was idle no longer than `idle_secs` and is
/// no older than `max_secs`.
#[derive(Debug, Clone, Copy)]
pub struct SessionLookup {
    pub hash: [u8; 32],
    pub idle_secs: i64,
    pub max_secs: i64,
}

#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Every account with this (lower-cased) username, in any organization.
    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>>;
    /// Counts an attempt before the password is checked: against the client address (key
    /// `address`) and against each account it may be for (`accounts`, see
    /// [`account_throttle_key`]). A refused address counts nothing. An account still in its
    /// wait is not counted (and its password must not be checked: `accounts_until` says
    /// until when); when every account is waiting, nothing is counted. Counting first means
    /// parallel guesses cannot slip past the limit while the hash is being checked.
    async fn charge_sign_in(&self, attempt: SignInAttempt<'_>, now: i64) -> Result<SignInCharge>;
    /// The password was right after all: forgets the failures of `matched` (the account it
    /// opened) and takes back the attempt counted against each key of `charged` (the address
    /// and any other account the attempt was counted against), lifting a wait that attempt
    /// may have set: none of them was waiting when it was counted.
    async fn forgive_sign_in(&self, matched: &str, charged: &[String]) -> Result<()>;
    /// A successful sign-in: the attempt is forgiven (as [`Self::forgive_sign_in`] with
    /// `throttle`), the session recorded and `signed_in` appended.
    async fn start_session(&self, session: NewSession<'_>, now: i64) -> Result<()>;
    /// The member behind a live session (touching it), or `None` when it is unknown, idle
    /// longer than `idle_secs`, older than `max_secs`, or its account is not enabled.
    async fn member_session(&self, lookup: SessionLookup, now: i64) -> Result<Option<Member>>;
    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()>;
    /// Deletes up to `limit` rows of each kind that no longer serve a purpose (see
    /// [`StaleBefore`]), each kind in its own short transaction; returns how many went.
    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_starts_at_the_threshold_and_doubles_up_to_the_cap() {
        let p = LockoutPolicy {
            threshold: 5,
            initial_secs: 30,
            max_secs: 900,
            forget_after_secs: 86_400,
        };
        assert_eq!(p.delay(4), None);
        assert_eq!(p.delay(5), Some(30));
        assert_eq!(p.delay(6), Some(60));
        assert_eq!(p.delay(9), Some(480));
        assert_eq!(p.delay(10), Some(900));
        assert_eq!(p.delay(200), Some(900));
        assert_eq!(p.delay(u32::MAX), Some(900));
        // Old failures are forgotten.
        assert_eq!(p.current(7, 1000, 1000 + 86_400), 0);
        assert_eq!(p.current(7, 1000, 1001), 7);
    }

    #[test]
    fn a_waiting_account_is_skipped_and_the_address_counts_higher() {
        let account = LockoutPolicy {
            threshold: 2,
            initial_secs: 30,
            max_secs: 900,
            forget_after_secs: 86_400,
        };
        let address = LockoutPolicy {
            threshold: 4,
            ..account
        };
        let now = 1_000;
        // Org A's alice waits, org B's does not: only B's is counted, with the address.
        let rows = [Some((2, now - 5, Some(now + 25))), Some((1, now - 5, None))];
        let (charge, writes) = plan_sign_in_charge((None, address), (&rows, account), now);
        assert_eq!(charge.accounts_until, vec![Some(now + 25), None]);
        assert_eq!(charge.refused_until(), None);
        assert_eq!(writes, vec![(0, 1, None), (2, 2, Some(now + 30))]);
        // Every account waiting: refused, nothing counted.
        let rows = [Some((2, now - 5, Some(now + 25)))];
        let (charge, writes) = plan_sign_in_charge((None, address), (&rows, account), now);
        assert_eq!(charge.refused_until(), Some(now + 25));
        assert!(writes.is_empty());
        // The address waits from its own, higher threshold on.
        let (charge, writes) =
            plan_sign_in_charge((Some((3, now - 1, None)), address), (&[None], account), now);
        assert_eq!(charge.refused_until(), None);
        assert_eq!(writes[0], (0, 4, Some(now + 30)));
        let (charge, writes) = plan_sign_in_charge(
            (Some((4, now - 1, Some(now + 30))), address),
            (&[None], account),
            now,
        );
        assert_eq!(charge.refused_until(), Some(now + 30));
        assert!(writes.is_empty());
    }
}
