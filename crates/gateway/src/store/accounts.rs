//! What the gateway keeps about members after they registered: the account's state as the
//! desktop decides it, the directory's mirror, refusals, and the password and personal fields
//! the member changes. Same rule as the rest of the store: each method is one transaction.

use async_trait::async_trait;
use orgdesk_protocol::{AccountState, EventKind};

use crate::error::{GatewayError, Result};

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
    /// An admin set this password and asked for a new one before anything else.
    pub must_change_password: bool,
}

/// The columns of [`Member`], in order, from `accounts a` joined with `organizations o`,
/// (left) `invitations i` and (left) `join_requests j`. Plain SQL that SQLite and PostgreSQL
/// both read.
pub(crate) const MEMBER_COLUMNS: &str = "a.org_id, a.username_key, a.username, \
     COALESCE(i.organization_name, j.organization_name, o.name), \
     COALESCE(a.name, i.invitee_name, j.name, a.username), \
     COALESCE(a.mobile, CASE WHEN i.channel = 'sms' THEN i.recipient END, j.mobile, ''), \
     COALESCE(a.email, CASE WHEN i.channel = 'email' THEN i.recipient END, j.email, ''), \
     a.account_id, \
     CASE WHEN a.must_change_password = 1 THEN '1' ELSE '0' END";

pub(crate) const MEMBER_FROM: &str = "accounts a JOIN organizations o ON o.id = a.org_id \
     LEFT JOIN invitations i ON i.id = a.invitation_id \
     LEFT JOIN join_requests j ON j.id = a.join_request_id";

/// Usernames are unique per organization without regard to case: the key an account's
/// username is kept and looked up under.
pub(crate) fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// The personal fields a member submitted (all of them; the store works out what changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalDetails {
    pub name: String,
    pub mobile: String,
    pub email: String,
}

/// The fields a member changed, each `None` when it stays, and the
/// `personal_details_changed` event that records exactly those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DetailsChange {
    pub name: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub event: EventKind,
}

/// What differs between the member's current fields and the submitted ones, or `None` when
/// nothing does.
pub(crate) fn details_change(
    current: &Member,
    submitted: PersonalDetails,
) -> Option<DetailsChange> {
    let differs = |now: &str, new: String| (now != new).then_some(new);
    let name = differs(&current.name, submitted.name);
    let mobile = differs(&current.mobile, submitted.mobile);
    let email = differs(&current.email, submitted.email);
    if name.is_none() && mobile.is_none() && email.is_none() {
        return None;
    }
    let event = EventKind::PersonalDetailsChanged {
        account_id: Some(current.account_id.clone()),
        username: current.username.clone(),
        name: name.clone(),
        mobile: mobile.clone(),
        email: email.clone(),
    };
    Some(DetailsChange {
        name,
        mobile,
        email,
        event,
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
    pub must_change_password: bool,
}

/// The id to create a mirrored member's account under when the directory bound the member to
/// `id`, which no account of the organization holds (`holders`: how many accounts of other
/// organizations and join requests hold it). The directory's own id when it is one the
/// gateway makes (a team's computer made it for a member it added, so that every computer
/// binds the member alike); `None`, a new id of the gateway's, for an id of another form. An
/// id another organization's account or another person's join request holds is refused: an
/// account is never bound to someone else.
pub(crate) fn directory_made_id(id: &str, username: &str, holders: i64) -> Result<Option<String>> {
    if !orgdesk_rules::account::is_account_id(id) {
        return Ok(None);
    }
    if holders > 0 {
        return Err(GatewayError::Conflict {
            code: "account_taken",
            message: format!(
                "account_id {id} is another organization's or another username's account: it is not given to {username}"
            ),
        });
    }
    Ok(Some(id.to_owned()))
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

/// A new state for the account under `username_key`, as the desktop decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStateChange {
    pub org_id: String,
    pub username_key: String,
    pub state: AccountState,
}

/// The directory's members to mirror into an organization, in the directory's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryMirror {
    pub org_id: String,
    pub items: Vec<MirrorItem>,
}

/// The directory would not take the account `account_id`, for `reason` (shown to the member).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRefusal {
    pub org_id: String,
    pub account_id: String,
    pub reason: String,
}

/// A member's new password; the session whose hash is `keep_session` stays signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChange {
    pub org_id: String,
    pub username_key: String,
    pub password_hash: String,
    pub keep_session: [u8; 32],
}

/// The personal fields a member submitted for their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsSubmission {
    pub org_id: String,
    pub username_key: String,
    pub details: PersonalDetails,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Sets the account's state. Disabling or removing ends its sessions and voids its
    /// unused reset links (and their unsent messages). `false` for an unknown username.
    async fn set_account_state(&self, change: AccountStateChange, now: i64) -> Result<bool>;
    /// Mirrors the directory's members, in order, in one transaction (see
    /// `POST /api/v1/accounts/mirror` in docs/gateway.md); answers each one's account id. An
    /// account id the gateway does not hold that a pending join request named for the same
    /// username approves that request, which creates the account under that id.
    async fn mirror_accounts(&self, mirror: DirectoryMirror, now: i64) -> Result<Vec<String>>;
    /// The directory would not take this account: a registered one is removed (sessions
    /// ended, reset links voided) and keeps `reason`, as does the join request it came from.
    async fn refuse_account(&self, refusal: DirectoryRefusal, now: i64) -> Result<RefuseOutcome>;
    /// The password hash of an enabled account.
    async fn password_hash(&self, org_id: &str, username_key: &str) -> Result<Option<String>>;
    /// Sets a new password, ends the account's other sessions and appends
    /// `password_changed`; `false` if the account is no longer enabled.
    async fn change_password(&self, change: PasswordChange, now: i64) -> Result<bool>;
    /// Stores the fields that differ from the current ones and appends
    /// `personal_details_changed` with exactly those; returns that event, or `None` when
    /// nothing changed (or the account is no longer enabled).
    async fn change_personal_details(
        &self,
        submission: DetailsSubmission,
        now: i64,
    ) -> Result<Option<EventKind>>;
}

#[cfg(test)]
mod tests {
    use super::*;

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
            must_change_password: false,
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
        let change = details_change(&current, changed);
        assert_eq!(
            change.as_ref().map(|c| (&c.name, &c.mobile, &c.email)),
            Some((&None, &Some("+8613800138000".into()), &None))
        );
        assert_eq!(
            change.map(|c| c.event),
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
