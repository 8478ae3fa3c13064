//! What the store keeps for joining through the public link or the organization code, and
//! for bounces reported by the mail provider, and the rule for how long an address waits after
//! wrong codes (the stores apply it when they count one). Implemented by both stores beside
//! their other methods; every method is one transaction.

use async_trait::async_trait;
use orgdesk_protocol::{
    EventKind, JoinField, JoinLinkRules, JoinRequestStatus, JoinVia, JoinerDetails,
};

use crate::error::{GatewayError, Result};

/// A new link and code: the lookup hashes and the sealed copies shown to the desktop.
#[derive(Debug, Clone)]
pub struct JoinSecrets {
    pub token_sha256: [u8; 32],
    pub sealed_token: Vec<u8>,
    pub code_hash: [u8; 32],
    pub sealed_code: Vec<u8>,
}

/// An organization's join link as stored.
#[derive(Debug, Clone)]
pub struct JoinLinkRecord {
    pub org_id: String,
    pub rules: JoinLinkRules,
    pub enabled: bool,
    pub sealed_token: Vec<u8>,
    pub sealed_code: Vec<u8>,
}

#[derive(Debug, Clone)]
pub enum JoinLinkWrite {
    Written(JoinLinkRecord),
    /// The new code is already another organization's: draw another.
    CodeTaken,
    /// Rotation needs an enabled link.
    NotFound,
}

/// How a person reached the join form: the link's token hash or the code's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinSecret {
    Link([u8; 32]),
    Code([u8; 32]),
}

impl JoinSecret {
    pub fn via(self) -> JoinVia {
        match self {
            Self::Link(_) => JoinVia::Link,
            Self::Code(_) => JoinVia::Code,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewJoinRequest {
    pub id: String,
    /// The account the person gets if they are let in (named in `join_requested`).
    pub account_id: String,
    pub secret: JoinSecret,
    pub details: JoinerDetails,
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// SHA-256 of the token of the person's status page.
    pub status_token_sha256: [u8; 32],
    /// The language of the join page the person used (`en` or `zh`), for the decision mail.
    pub locale: String,
}

impl NewJoinRequest {
    /// The `join_requested` event that records this request; `approval_required` false
    /// means the person joined at once.
    pub(crate) fn requested_event(self, approval_required: bool) -> EventKind {
        EventKind::JoinRequested {
            request_id: self.id,
            via: self.secret.via(),
            details: self.details,
            account_id: Some(self.account_id),
            username: self.username,
            password_hash: self.password_hash,
            approval_required,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinSubmitOutcome {
    /// Recorded with its `join_requested` event; `approval_required` false means joined.
    Done { approval_required: bool },
    /// The username is an account's, or another pending request's, in this organization.
    UsernameTaken,
    /// The link or code was switched off, rotated or expired in the meantime.
    NotUsable,
}

/// What the status page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestView {
    pub status: JoinRequestStatus,
    pub organization_name: String,
    pub username: String,
    /// Why the directory would not take this person, if it refused them.
    pub refused_reason: Option<String>,
}

/// `required_fields` as stored: the wire names joined by commas.
pub(crate) fn fields_to_text(fields: &[JoinField]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn fields_from_text(text: &str) -> Vec<JoinField> {
    text.split(',').filter_map(JoinField::parse).collect()
}

pub(crate) fn status_str(s: JoinRequestStatus) -> &'static str {
    match s {
        JoinRequestStatus::Pending => "pending",
        JoinRequestStatus::Approved => "approved",
        JoinRequestStatus::Rejected => "rejected",
    }
}

pub(crate) fn parse_status(s: &str) -> Option<JoinRequestStatus> {
    Some(match s {
        "pending" => JoinRequestStatus::Pending,
        "approved" => JoinRequestStatus::Approved,
        "rejected" => JoinRequestStatus::Rejected,
        _ => return None,
    })
}

pub(crate) fn via_str(v: JoinVia) -> &'static str {
    match v {
        JoinVia::Link => "link",
        JoinVia::Code => "code",
    }
}

/// What a decision does to a join request, the same on every store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecisionStep {
    /// The request's status once decided.
    pub(crate) to: JoinRequestStatus,
    /// False when it was decided this way already: nothing changes, and `to` is answered again.
    pub(crate) changes: bool,
    /// A rejected request is being approved: someone else may hold its username by now.
    pub(crate) recheck_username: bool,
}

/// What deciding (`approved` or not) a join request whose row holds `state` does: an approved
/// request cannot be rejected (its account exists: the member is disabled instead); a rejected
/// one may still be approved.
pub(crate) fn decision_step(state: &str, approved: bool) -> Result<DecisionStep> {
    use JoinRequestStatus::{Approved, Rejected};
    let state = parse_status(state)
        .ok_or_else(|| GatewayError::Storage(format!("join request state {state}")))?;
    if state == Approved && !approved {
        return Err(already_joined());
    }
    let to = if approved { Approved } else { Rejected };
    Ok(DecisionStep {
        to,
        changes: state != to,
        recheck_username: state == Rejected && approved,
    })
}

/// Rejecting a request that was approved.
pub(crate) fn already_joined() -> GatewayError {
    GatewayError::Conflict {
        code: "join_request_closed",
        message: "the request was approved and the account exists; disable the member instead"
            .into(),
    }
}

/// Approving a request whose username someone else holds now.
pub(crate) fn username_gone() -> GatewayError {
    GatewayError::Conflict {
        code: "username_taken",
        message: "the username of this request has been taken since it was made".into(),
    }
}

/// Wrong codes allowed before the lockout starts. Counted per client address (an IPv6
/// client by its /64), never per code, so a guesser locks out only itself; high enough that
/// a few people behind one address (an office NAT) who mistype do not lock one another out,
/// low enough that 40 bits stay out of reach.
pub(crate) const FREE_CODE_FAILURES: i64 = 10;
/// Failures older than this are forgotten.
pub(crate) const CODE_FAILURE_MEMORY_SECS: i64 = 24 * 60 * 60;

/// How long an address must wait after its `failures`-th wrong code: nothing for the first
/// nine, then a minute, doubling with each further failure up to a day.
pub(crate) fn lockout_secs(failures: i64) -> i64 {
    if failures < FREE_CODE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from(failures - FREE_CODE_FAILURES).unwrap_or(u32::MAX);
    60i64
        .checked_shl(doublings.min(20))
        .unwrap_or(i64::MAX)
        .min(CODE_FAILURE_MEMORY_SECS)
}

/// New rules for an organization's join link, and the link and code it gets when it has no
/// enabled one.
#[derive(Debug, Clone)]
pub struct JoinLinkUpdate {
    pub org_id: String,
    pub rules: JoinLinkRules,
    pub fresh: JoinSecrets,
}

/// A new link and code for an organization's enabled join link.
#[derive(Debug, Clone)]
pub struct JoinLinkRotation {
    pub org_id: String,
    pub fresh: JoinSecrets,
}

/// The desktop's decision on the join request `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestDecision {
    pub org_id: String,
    pub id: String,
    pub approved: bool,
}

/// A provider's report that the message it knows as `message_id` bounced, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBounce {
    pub message_id: String,
    pub reason: String,
}

#[async_trait]
pub trait JoinStore: Send + Sync {
    /// Sets the rules. An enabled link keeps its token and code; otherwise (none yet, or
    /// disabled) `fresh` becomes the link and code and it is enabled.
    async fn put_join_link(&self, update: JoinLinkUpdate, now: i64) -> Result<JoinLinkWrite>;
    /// Replaces an enabled link's token and code; the old ones stop working.
    async fn rotate_join_link(&self, new: JoinLinkRotation, now: i64) -> Result<JoinLinkWrite>;
    /// Switches the link and code off (the rules are kept); `false` when there is no link.
    async fn disable_join_link(&self, org_id: &str, now: i64) -> Result<bool>;
    async fn join_link(&self, org_id: &str) -> Result<Option<JoinLinkRecord>>;
    /// The enabled link that `secret` opens, expired or not (the page tells which).
    async fn find_join_link(&self, secret: JoinSecret) -> Result<Option<JoinLinkRecord>>;

    /// Until when `client` may not try codes, if it is locked out at `now`.
    async fn code_lockout(&self, client: &str, now: i64) -> Result<Option<i64>>;
    /// Counts a wrong code; returns the lockout it causes, if any.
    async fn record_code_failure(&self, client: &str, now: i64) -> Result<Option<i64>>;

    /// Records the request (checking in the same transaction that the link or code still
    /// works and the username is free), creates the account at once when no approval is
    /// required, and appends `join_requested`.
    async fn submit_join_request(&self, new: NewJoinRequest, now: i64)
        -> Result<JoinSubmitOutcome>;
    /// Approves (creating the account) or rejects a request. A rejected request may be
    /// approved later; an approved one cannot be rejected (`join_request_closed`); approving
    /// when the username has been taken since is `username_taken`. A decision that changes the
    /// request queues a `join_decision` message when the person gave an email (replacing one
    /// still waiting); repeating the current decision changes nothing and queues nothing.
    async fn decide_join_request(
        &self,
        decision: JoinRequestDecision,
        now: i64,
    ) -> Result<JoinRequestStatus>;
    async fn join_request_by_status_token(
        &self,
        token_sha256: [u8; 32],
    ) -> Result<Option<JoinRequestView>>;

    /// Records that the invitation message with the provider id `message_id` bounced and
    /// appends `invitation_bounced`; returns the invitation, or `None` when the message is
    /// unknown, is not an invitation (password reset messages have no bounce event) or its
    /// bounce was already recorded.
    async fn record_bounce(&self, bounce: MessageBounce, now: i64) -> Result<Option<String>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lockout_grows_after_ten_failures() {
        assert_eq!(lockout_secs(9), 0);
        assert_eq!(lockout_secs(10), 60);
        assert_eq!(lockout_secs(11), 120);
        assert_eq!(lockout_secs(12), 240);
        assert_eq!(lockout_secs(40), CODE_FAILURE_MEMORY_SECS);
        assert_eq!(lockout_secs(i64::MAX), CODE_FAILURE_MEMORY_SECS);
    }

    #[test]
    fn a_decision_changes_a_request_only_where_it_may() {
        use JoinRequestStatus::{Approved, Rejected};
        let step = |to, changes, recheck_username| DecisionStep {
            to,
            changes,
            recheck_username,
        };
        for (state, approved, want) in [
            ("pending", true, step(Approved, true, false)),
            ("pending", false, step(Rejected, true, false)),
            ("rejected", true, step(Approved, true, true)),
            ("rejected", false, step(Rejected, false, false)),
            ("approved", true, step(Approved, false, false)),
        ] {
            let got = decision_step(state, approved).unwrap();
            assert_eq!(got, want, "{state}, approved: {approved}");
        }
        let refused = decision_step("approved", false).unwrap_err();
        assert!(
            matches!(
                refused,
                GatewayError::Conflict {
                    code: "join_request_closed",
                    ..
                }
            ),
            "{refused:?}"
        );
        assert!(matches!(
            decision_step("archived", true),
            Err(GatewayError::Storage(_))
        ));
    }
}
