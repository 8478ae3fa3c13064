//! What the gateway keeps about members after they registered: the account's state as the
//! desktop decides it, password resets, sessions on the member's own page, failed sign-ins,
//! and which expired invitation links have been reported. Same rule as the rest of the
//! store: each method is one transaction.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, Channel, EventKind};

use crate::error::Result;

pub fn account_state_str(state: AccountState) -> &'static str {
    match state {
        AccountState::Enabled => "enabled",
        AccountState::Disabled => "disabled",
        AccountState::Removed => "removed",
    }
}

pub fn parse_account_state(s: &str) -> Option<AccountState> {
    Some(match s {
        "enabled" => AccountState::Enabled,
        "disabled" => AccountState::Disabled,
        "removed" => AccountState::Removed,
        _ => return None,
    })
}

/// Everything needed to record a password reset in one transaction.
#[derive(Debug, Clone)]
pub struct NewPasswordReset {
    pub id: String,
    pub org_id: String,
    /// Lower-cased username.
    pub username_key: String,
    pub channel: Channel,
    pub recipient: String,
    pub organization_name: String,
    pub locale: String,
    pub idempotency_key: String,
    pub request_sha256: [u8; 32],
    pub token_hash: [u8; 32],
    pub sealed_token: Vec<u8>,
    pub expires_at: i64,
    /// Queue a message (email / sms); `false` for link resets.
    pub enqueue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetOutcome {
    Created,
    /// The key was seen before with the same request: the first answer's material.
    Replayed {
        reset_id: String,
        sealed_token: Vec<u8>,
        expires_at: i64,
    },
    /// The key was seen before with a different request.
    KeyReused,
    UnknownAccount,
    AccountNotEnabled(AccountState),
    /// The account only reserves its username (mirrored from the directory without a
    /// password): there is nothing to reset.
    NoPassword,
}

/// A password reset as the gateway keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub id: String,
    pub org_id: String,
    /// As the member registered it.
    pub username: String,
    pub channel: Channel,
    pub recipient: String,
    pub organization_name: String,
    pub locale: String,
}

/// What a reset link's token leads to, for the page.
#[derive(Debug, Clone)]
pub struct ResetLookup {
    pub reset: PasswordReset,
    pub account_state: AccountState,
    pub expires_at: i64,
    pub revoked: bool,
    pub used: bool,
}

/// A reset message claimed for sending.
#[derive(Debug, Clone)]
pub struct ResetOutboxItem {
    pub id: i64,
    pub attempts: u32,
    pub sealed_token: Vec<u8>,
    pub reset: PasswordReset,
    pub expires_at: i64,
    /// As [`super::OutboxItem::resumed`].
    pub resumed: bool,
}

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

/// A signed-in member and what their page shows. Personal fields the member never changed
/// come from the invitation (its name, and its recipient for the channel it went through) or,
/// for an account made by an approved join request, from that request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub org_id: String,
    pub account_id: String,
    pub username_key: String,
    pub username: String,
    pub organization_name: String,
    pub name: String,
    pub mobile: String,
    pub email: String,
}

/// The columns of [`Member`], in order, from `accounts a` joined with `organizations o`,
/// (left) `invitations i` and (left) `join_requests j`. Plain SQL that SQLite and PostgreSQL
/// both read.
pub(crate) const MEMBER_COLUMNS: &str = "a.org_id, a.username_key, a.username, \
     COALESCE(i.organization_name, j.organization_name, o.name), \
     COALESCE(a.name, i.invitee_name, j.name, a.username), \
     COALESCE(a.mobile, CASE WHEN i.channel = 'sms' THEN i.recipient END, j.mobile, ''), \
     COALESCE(a.email, CASE WHEN i.channel = 'email' THEN i.recipient END, j.email, ''), \
     a.account_id";

pub(crate) const MEMBER_FROM: &str = "accounts a JOIN organizations o ON o.id = a.org_id \
     LEFT JOIN invitations i ON i.id = a.invitation_id \
     LEFT JOIN join_requests j ON j.id = a.join_request_id";

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

/// Usernames are unique per organization without regard to case: the key an account's
/// username is kept and looked up under.
pub(crate) fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
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

/// The personal fields a member submitted (all of them; the store works out what changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalDetails {
    pub name: String,
    pub mobile: String,
    pub email: String,
}

/// The `personal_details_changed` event for what differs between the member's current
/// fields and the submitted ones, or `None` when nothing does.
pub(crate) fn details_change(current: &Member, submitted: PersonalDetails) -> Option<EventKind> {
    let differs = |now: &str, new: String| (now != new).then_some(new);
    let name = differs(&current.name, submitted.name);
    let mobile = differs(&current.mobile, submitted.mobile);
    let email = differs(&current.email, submitted.email);
    if name.is_none() && mobile.is_none() && email.is_none() {
        return None;
    }
    Some(EventKind::PersonalDetailsChanged {
        account_id: Some(current.account_id.clone()),
        username: current.username.clone(),
        name,
        mobile,
        email,
    })
}

/// Where an account came from: made on this gateway (an invitation, a join request) or
/// mirrored from the directory, which then owns it.
pub const ORIGIN_REGISTERED: &str = "registered";
pub const ORIGIN_DIRECTORY: &str = "directory";

/// One member of the directory, checked, as the store mirrors it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorItem {
    /// The account the directory bound this member to, if any.
    pub account_id: Option<String>,
    pub username: String,
    /// Lower-cased username.
    pub username_key: String,
    /// `None`: the account only reserves the username.
    pub password_hash: Option<String>,
    pub state: AccountState,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

/// What the desktop's refusal of an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefuseOutcome {
    /// The account was removed and carries the reason.
    Refused,
    /// The directory owns the account: nothing changed.
    DirectoryOwned,
    /// No such account in this organization.
    Unknown,
}

/// Refused to a pending join request whose username the directory mirrors.
pub const USERNAME_IN_DIRECTORY: &str =
    "This username is already used in the organization's directory.";

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Sets the account's state. Disabling or removing ends its sessions and voids its
    /// unused reset links (and their unsent messages). `false` for an unknown username.
    async fn set_account_state(
        &self,
        org_id: &str,
        username_key: &str,
        state: AccountState,
        now: i64,
    ) -> Result<bool>;

    /// Mirrors the directory's members, in order, in one transaction (see
    /// `POST /api/v1/accounts/mirror` in docs/gateway.md); answers each one's account id.
    async fn mirror_accounts(
        &self,
        org_id: &str,
        items: Vec<MirrorItem>,
        now: i64,
    ) -> Result<Vec<String>>;
    /// The directory would not take this account: a registered one is removed (sessions
    /// ended, reset links voided) and keeps `reason`, as does the join request it came from.
    async fn refuse_account(
        &self,
        org_id: &str,
        account_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<RefuseOutcome>;

    /// Records a reset (voiding every earlier unused one of the account and its unsent
    /// messages) and queues its message when `enqueue`; or answers from the idempotency key.
    async fn create_password_reset(&self, new: NewPasswordReset, now: i64) -> Result<ResetOutcome>;
    /// What an idempotency key already answered (`Replayed` or `KeyReused`), if anything.
    async fn seen_reset_key(
        &self,
        org_id: &str,
        key: &str,
        request_sha256: [u8; 32],
    ) -> Result<Option<ResetOutcome>>;
    async fn lookup_reset(&self, token_hash: [u8; 32]) -> Result<Option<ResetLookup>>;
    /// Consumes the link (exactly once, unexpired, unrevoked, account enabled), sets the
    /// password, ends the account's sessions, forgets its failed sign-ins and appends
    /// `password_changed`. Returns the username, or `None` when the link was not usable.
    async fn consume_reset(
        &self,
        token_hash: [u8; 32],
        password_hash: &str,
        now: i64,
    ) -> Result<Option<String>>;

    /// Claims the next reset message due for sending, leasing it to `owner` for `lease_secs`
    /// (as [`super::GatewayStore::claim_due_message`]).
    async fn claim_due_reset_message(
        &self,
        now: i64,
        lease_secs: i64,
        owner: &str,
    ) -> Result<Option<ResetOutboxItem>>;
    /// Marks a reset message sent and appends `password_reset_delivered`.
    async fn reset_message_sent(&self, outbox_id: i64, message_id: &str, now: i64) -> Result<()>;
    /// Schedules a retry at `retry_at`, or gives up with `password_reset_failed`.
    async fn reset_message_failed(
        &self,
        outbox_id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<()>;

    /// Every account with this (lower-cased) username, in any organization.
    async fn sign_in_candidates(&self, username_key: &str) -> Result<Vec<SignInCandidate>>;
    /// Counts an attempt before the password is checked: against the client address (key
    /// `address`) and against each account it may be for (`accounts`, see
    /// [`account_throttle_key`]). A refused address counts nothing. An account still in its
    /// wait is not counted (and its password must not be checked: `accounts_until` says
    /// until when); when every account is waiting, nothing is counted. Counting first means
    /// parallel guesses cannot slip past the limit while the hash is being checked.
    async fn charge_sign_in(
        &self,
        address: (&str, LockoutPolicy),
        accounts: (&[String], LockoutPolicy),
        now: i64,
    ) -> Result<SignInCharge>;
    /// The password was right after all: forgets the failures of `matched` (the account it
    /// opened) and takes back the attempt counted against each key of `charged` (the address
    /// and any other account the attempt was counted against), lifting a wait that attempt
    /// may have set: none of them was waiting when it was counted.
    async fn forgive_sign_in(&self, matched: &str, charged: &[String]) -> Result<()>;
    /// A successful sign-in: the attempt is forgiven (as [`Self::forgive_sign_in`] with
    /// `throttle`), the session recorded and `signed_in` appended.
    async fn start_session(
        &self,
        org_id: &str,
        username_key: &str,
        session_hash: [u8; 32],
        throttle: (&str, &[String]),
        now: i64,
    ) -> Result<()>;
    /// The member behind a live session (touching it), or `None` when it is unknown, idle
    /// longer than `idle_secs`, older than `max_secs`, or its account is not enabled.
    async fn member_session(
        &self,
        session_hash: [u8; 32],
        now: i64,
        idle_secs: i64,
        max_secs: i64,
    ) -> Result<Option<Member>>;
    async fn end_session(&self, session_hash: [u8; 32]) -> Result<()>;
    /// The password hash of an enabled account.
    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>>;
    /// Sets a new password, ends the account's other sessions and appends
    /// `password_changed`; `false` if the account is no longer enabled.
    async fn change_password(
        &self,
        org_id: &str,
        username_key: &str,
        password_hash: &str,
        keep_session: [u8; 32],
        now: i64,
    ) -> Result<bool>;
    /// Stores the fields that differ from the current ones and appends
    /// `personal_details_changed` with exactly those; returns that event, or `None` when
    /// nothing changed (or the account is no longer enabled).
    async fn change_personal_details(
        &self,
        org_id: &str,
        username_key: &str,
        details: PersonalDetails,
        now: i64,
    ) -> Result<Option<EventKind>>;

    /// Appends `invitation_expired` for up to `limit` pending invitations whose current link
    /// expired and was not reported yet; returns how many.
    async fn report_expired_invitations(&self, now: i64, limit: u32) -> Result<u32>;
    /// Deletes up to `limit` rows of each kind that no longer serve a purpose (see
    /// [`StaleBefore`]), each kind in its own short transaction; returns how many went.
    async fn prune_stale(&self, before: StaleBefore, now: i64, limit: u32) -> Result<Pruned>;
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
}

impl Pruned {
    pub fn total(&self) -> u64 {
        u64::from(self.sessions) + u64::from(self.sign_in_failures) + u64::from(self.code_failures)
    }

    /// Whether some kind filled its batch (there may be more).
    pub fn full(&self, limit: u32) -> bool {
        self.sessions >= limit || self.sign_in_failures >= limit || self.code_failures >= limit
    }
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

    #[test]
    fn only_changed_details_are_reported() {
        let current = Member {
            org_id: "o".into(),
            account_id: "acc_1".into(),
            username_key: "li".into(),
            username: "Li".into(),
            organization_name: "Acme".into(),
            name: "Li Wei".into(),
            mobile: String::new(),
            email: "li@example.org".into(),
        };
        let same = PersonalDetails {
            name: "Li Wei".into(),
            mobile: String::new(),
            email: "li@example.org".into(),
        };
        assert_eq!(details_change(&current, same.clone()), None);
        let changed = PersonalDetails {
            mobile: "+8613800138000".into(),
            ..same
        };
        assert_eq!(
            details_change(&current, changed),
            Some(EventKind::PersonalDetailsChanged {
                account_id: Some("acc_1".into()),
                username: "Li".into(),
                name: None,
                mobile: Some("+8613800138000".into()),
                email: None,
            })
        );
    }

    #[test]
    fn account_states_round_trip() {
        for s in [
            AccountState::Enabled,
            AccountState::Disabled,
            AccountState::Removed,
        ] {
            assert_eq!(parse_account_state(account_state_str(s)), Some(s));
        }
        assert_eq!(parse_account_state("gone"), None);
    }
}
