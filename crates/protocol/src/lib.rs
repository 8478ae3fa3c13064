//! Wire types shared by the Orgdesk desktop and the Orgdesk gateway.
//!
//! Every type here is part of a versioned HTTP API (`/api/v1`); a change that an older
//! peer cannot read needs a new version, not an edit. Times are Unix seconds (UTC), which
//! both sides compare without parsing.

use serde::{Deserialize, Serialize};

/// The API version this crate describes; it is the path prefix of every endpoint.
pub const API_VERSION: &str = "v1";

/// The header that makes a create request safe to retry: the gateway keeps the first answer
/// for each (organization, key) forever and replays it, so a retry never sends twice.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// How long an invitation link stays valid when the request does not say: three days.
pub const DEFAULT_INVITATION_LIFETIME_SECS: u64 = 3 * 24 * 60 * 60;

/// How long a password reset link stays valid when the request does not say: 24 hours.
pub const DEFAULT_PASSWORD_RESET_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The longest `wait` the event feed honours, in seconds; longer waits are cut to this.
pub const MAX_EVENTS_WAIT_SECS: u64 = 30;

/// The most events one page carries; larger `limit`s are cut to this.
pub const MAX_EVENTS_LIMIT: u32 = 1000;

/// The Argon2id parameters a password hash may carry to cross between desktop and gateway,
/// and the check both sides apply before storing one: the rule lives in `orgdesk-rules`.
pub use orgdesk_rules::password::{
    check_password_hash, PasswordHashProblem, ARGON2_MAX_LANES, ARGON2_MAX_MEMORY_KIB,
    ARGON2_MAX_TIME, ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME,
};

/// How an invitation reaches the invitee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A mail to `recipient` (an email address).
    Email,
    /// A text message to `recipient` (an E.164 mobile number).
    Sms,
    /// Nothing is sent: the desktop shows the link and the admin passes it on.
    Link,
}

/// `POST /api/v1/invitations` (with an `Idempotency-Key` header).
///
/// The labels are only for the message and the invitation page; the desktop keeps the
/// directory of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInvitation {
    pub channel: Channel,
    /// Email address for `email`, E.164 mobile (`+8613800138000`) for `sms`; for `link`, who
    /// the link is meant for (shown to nobody but the desktop).
    pub recipient: String,
    pub invitee_name: String,
    pub organization_name: String,
    #[serde(default)]
    pub department_label: String,
    #[serde(default)]
    pub position_label: String,
    pub inviter_name: String,
    /// Link lifetime; [`DEFAULT_INVITATION_LIFETIME_SECS`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
    /// Language of the message: `en` (default) or `zh-CN`. The pages follow the reader's
    /// browser instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// The answer to a create or resend. A replayed create returns the first answer unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation_id: String,
    /// The full link to the invitation page, built from the gateway's configured public URL.
    pub link: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// One entry of the event feed. `seq` orders the feed per organization and is the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: i64,
    /// Unique and stable: the desktop may use it to ignore an event it has already applied.
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened. Serialized with a `kind` tag beside the fields, e.g.
/// `{"kind":"declined","invitation_id":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The mail or text was accepted by the next hop (SMTP server or provider).
    InvitationDelivered {
        invitation_id: String,
        /// Our Message-ID (mail) or the provider's id, for tracing a complaint.
        message_id: String,
    },
    /// Delivery gave up: a permanent refusal, or every retry failed.
    InvitationFailed {
        invitation_id: String,
        reason: String,
    },
    /// The invitee opened the invitation page for the first time.
    InvitationOpened { invitation_id: String },
    /// The invitee chose a username and password. The password is only ever sent as an
    /// Argon2id PHC string.
    Registered {
        invitation_id: String,
        /// The gateway account this registration made (or the existing account it accepted
        /// with). The directory binds the member to it; every later member event names it.
        /// Absent only from gateways older than account ids, whose registrations the directory
        /// cannot bind and refuses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        password_hash: String,
    },
    /// The invitee declined.
    Declined { invitation_id: String },
    /// A member's password changed, through a reset link or on their own page. Only ever an
    /// Argon2id PHC string.
    PasswordChanged {
        /// The account that changed; the directory applies it only to the member bound to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        /// For people reading the feed; never used to find the member.
        username: String,
        password_hash: String,
    },
    /// A member signed in on their own page (`/me`).
    SignedIn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
    },
    /// A member changed their own personal fields. Only the changed fields are present; an
    /// empty string means the member removed the value (mobile and email only).
    PersonalDetailsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mobile: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The newest link of a pending invitation passed its expiry unused. Reported once per
    /// link: a resend issues a new link, which may expire in its turn.
    InvitationExpired { invitation_id: String },
    /// A password reset mail or text was accepted by the next hop.
    PasswordResetDelivered {
        reset_id: String,
        message_id: String,
    },
    /// Delivery of a password reset gave up.
    PasswordResetFailed { reset_id: String, reason: String },
    /// Someone asked to join through the public join link or the organization code. The
    /// password is only ever sent as an Argon2id PHC string. When `approval_required` is
    /// false the person has already joined; otherwise the desktop answers with
    /// `POST /api/v1/join-requests/{request_id}/decision`.
    JoinRequested {
        request_id: String,
        via: JoinVia,
        name: String,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        mobile: Option<String>,
        #[serde(default)]
        employee_id: Option<String>,
        #[serde(default)]
        work_location: Option<String>,
        /// The account the person gets if they are let in: made at once when no approval is
        /// required, on approval otherwise. Named now so the directory can bind the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
        username: String,
        password_hash: String,
        /// What the gateway applied. The directory decides by its own joining rules: it makes a
        /// member at once only when both say no approval is needed.
        approval_required: bool,
    },
    /// The mail provider reported that an invitation mail it had accepted bounced.
    InvitationBounced {
        invitation_id: String,
        reason: String,
    },
}

/// How a join request reached the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinVia {
    /// The public join link (`/j/…`).
    Link,
    /// The organization code typed on the gateway's `/join` page.
    Code,
}

/// A field that people joining through the public link or code must fill, besides their name,
/// username and password. A closed list: the desktop offers exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinField {
    Email,
    Mobile,
    EmployeeId,
    WorkLocation,
}

impl JoinField {
    pub const ALL: [JoinField; 4] = [
        JoinField::Email,
        JoinField::Mobile,
        JoinField::EmployeeId,
        JoinField::WorkLocation,
    ];

    /// The wire name (`email`, `mobile`, `employee_id`, `work_location`).
    pub fn as_str(self) -> &'static str {
        match self {
            JoinField::Email => "email",
            JoinField::Mobile => "mobile",
            JoinField::EmployeeId => "employee_id",
            JoinField::WorkLocation => "work_location",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// `PUT /api/v1/join-link`: the joining rules of the public link and organization code.
/// Creates the link and code when there are none (or after `DELETE`), otherwise updates the
/// rules and keeps the link and code people already have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLinkRules {
    /// Shown on the join pages.
    pub organization_name: String,
    /// When true, a request waits for the desktop's decision; when false, people join at once.
    pub approval_required: bool,
    #[serde(default)]
    pub required_fields: Vec<JoinField>,
    /// Unix seconds after which the link and code stop working; none means no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// The answer to every join-link call (`PUT`, `GET`, `POST …/rotate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLink {
    pub enabled: bool,
    /// The public join link; absent while disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The organization code (8 characters from `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`); absent
    /// while disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The page where the code is typed.
    pub code_url: String,
    #[serde(flatten)]
    pub rules: JoinLinkRules,
}

/// `POST /api/v1/join-requests/{id}/decision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinDecision {
    pub approved: bool,
}

/// Where a join request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestStatus {
    Pending,
    Approved,
    Rejected,
}

/// The answer to a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestDecided {
    pub request_id: String,
    pub status: JoinRequestStatus,
}

/// `GET /api/v1/events?after=SEQ&limit=N&wait=SECS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsPage {
    pub events: Vec<Event>,
    /// Pass as `after` next time; equal to the request's `after` when nothing new arrived.
    pub next_cursor: i64,
}

/// `POST /api/v1/events/ack`: the desktop has durably applied every event up to `up_to`; the
/// gateway may forget them. Events are kept until acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckEvents {
    pub up_to: i64,
}

/// Whether a member's account may be used, as the desktop decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// The member signs in and may reset their password.
    Enabled,
    /// Kept, but no sign-in, no password reset; open sessions end.
    Disabled,
    /// The member left. Like `disabled`; the username stays taken.
    Removed,
}

/// `PUT /api/v1/accounts/{username}/state`: answered `204`, or `404 not_found` for a
/// username the gateway does not know in this organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAccountState {
    pub state: AccountState,
}

/// The most accounts one `POST /api/v1/accounts/mirror` carries.
pub const MAX_MIRRORED_ACCOUNTS: usize = 500;

/// One member of the directory as the gateway must know them: the directory is the record of
/// who holds which username, and the gateway mirrors it so that nobody can register or join
/// under a username the directory already uses, and so that members created in the directory
/// (setup, import, command line) can sign in on their own page and be sent a reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirroredAccount {
    /// The account the directory has bound this member to, if any. A username whose account
    /// the directory does not name is taken over by the directory: a fresh account id, the
    /// directory's password, sessions ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub username: String,
    /// Argon2id PHC string; absent when the member has no password yet (the username is then
    /// only reserved, and nobody can sign in with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    pub state: AccountState,
    /// The member's personal fields as the directory has them, for their own page.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

/// `POST /api/v1/accounts/mirror`: at most [`MAX_MIRRORED_ACCOUNTS`] accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorAccounts {
    pub accounts: Vec<MirroredAccount>,
}

/// The answer: the account id of each mirrored account, in the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirroredAccounts {
    pub account_ids: Vec<String>,
}

/// `POST /api/v1/accounts/{account_id}/refusal`: the directory would not take a registration
/// or a join that the gateway let through (the username is used there, a field is invalid).
/// The gateway removes the account — unless the directory mirrors it — and the person is told
/// `reason` on their status page and when they try to sign in. Answered `204`; `404` for an
/// account the gateway does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefuseAccount {
    pub reason: String,
}

/// `POST /api/v1/password-resets` (with an `Idempotency-Key` header): send a member a link
/// to choose a new password. A newer reset voids every earlier one of the same account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePasswordReset {
    /// The account's username (as registered; matched case-insensitively).
    pub username: String,
    pub channel: Channel,
    /// Email address for `email`, E.164 mobile for `sms`; for `link`, who the link is meant
    /// for (shown to nobody but the desktop).
    pub recipient: String,
    /// For the message and the page.
    pub organization_name: String,
    /// Language of the message: `en` (default) or `zh-CN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Link lifetime; [`DEFAULT_PASSWORD_RESET_LIFETIME_SECS`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
}

/// The answer to a password reset request. A replayed request returns the first answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetCreated {
    pub reset_id: String,
    /// The full link to the reset page, built from the gateway's configured public URL.
    pub link: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Every API error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable, machine-readable (`unauthorized`, `invalid_request`, `not_found`, …).
    pub code: String,
    /// For people; English.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_is_the_path_prefix() {
        assert_eq!(format!("/api/{}", super::API_VERSION), "/api/v1");
    }

    #[test]
    fn event_kind_is_a_tag_beside_the_fields() {
        let e = Event {
            seq: 7,
            id: "e1".into(),
            at: 1,
            kind: EventKind::Declined {
                invitation_id: "i1".into(),
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"seq":7,"id":"e1","at":1,"kind":"declined","invitation_id":"i1"})
        );
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), e);
    }

    #[test]
    fn member_events_carry_only_what_changed() {
        let kind = EventKind::PersonalDetailsChanged {
            account_id: Some("acc_1".into()),
            username: "li.wei".into(),
            name: Some("Li Wei".into()),
            mobile: None,
            email: Some(String::new()),
        };
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind":"personal_details_changed","account_id":"acc_1",
                "username":"li.wei","name":"Li Wei","email":""})
        );
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
        for (kind, tag) in [
            (
                EventKind::PasswordChanged {
                    account_id: Some("acc_1".into()),
                    username: "a".into(),
                    password_hash: "$argon2id$x".into(),
                },
                "password_changed",
            ),
            (
                EventKind::SignedIn {
                    account_id: None,
                    username: "a".into(),
                },
                "signed_in",
            ),
            (
                EventKind::InvitationExpired {
                    invitation_id: "i".into(),
                },
                "invitation_expired",
            ),
            (
                EventKind::PasswordResetDelivered {
                    reset_id: "r".into(),
                    message_id: "<m>".into(),
                },
                "password_reset_delivered",
            ),
            (
                EventKind::PasswordResetFailed {
                    reset_id: "r".into(),
                    reason: "no".into(),
                },
                "password_reset_failed",
            ),
        ] {
            let json = serde_json::to_value(&kind).unwrap();
            assert_eq!(json["kind"], tag);
            assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
        }
    }

    #[test]
    fn account_state_and_reset_requests_read_as_documented() {
        let s: SetAccountState = serde_json::from_str(r#"{"state":"removed"}"#).unwrap();
        assert_eq!(s.state, AccountState::Removed);
        assert!(serde_json::from_str::<SetAccountState>(r#"{"state":"gone"}"#).is_err());
        let r: CreatePasswordReset = serde_json::from_str(
            r#"{"username":"li.wei","channel":"email","recipient":"a@b.c","organization_name":"O"}"#,
        )
        .unwrap();
        assert_eq!((r.expires_in_secs, r.locale), (None, None));
        assert_eq!(r.channel, Channel::Email);
        let created = PasswordResetCreated {
            reset_id: "rst_1".into(),
            link: "https://x/r/t".into(),
            expires_at: 5,
        };
        assert_eq!(
            serde_json::to_value(&created).unwrap(),
            serde_json::json!({"reset_id":"rst_1","link":"https://x/r/t","expires_at":5})
        );
    }

    #[test]
    fn join_requested_carries_optional_fields_as_null() {
        let kind = EventKind::JoinRequested {
            request_id: "jr_1".into(),
            via: JoinVia::Code,
            name: "Li Wei".into(),
            email: Some("li@example.org".into()),
            mobile: None,
            employee_id: None,
            work_location: None,
            account_id: Some("acc_2".into()),
            username: "liwei".into(),
            password_hash: "$argon2id$…".into(),
            approval_required: true,
        };
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(json["kind"], "join_requested");
        assert_eq!(json["via"], "code");
        assert_eq!(json["mobile"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
        // An older gateway that leaves the optional fields out is still read.
        let sparse = serde_json::json!({"kind":"join_requested","request_id":"jr_2","via":"link",
            "name":"A","username":"a","password_hash":"h","approval_required":false});
        assert!(matches!(
            serde_json::from_value::<EventKind>(sparse).unwrap(),
            EventKind::JoinRequested {
                email: None,
                via: JoinVia::Link,
                ..
            }
        ));
    }

    #[test]
    fn member_events_name_their_account_and_older_pages_still_read() {
        let old = serde_json::json!({"kind":"password_changed","username":"alice",
            "password_hash":"$argon2id$x"});
        assert!(matches!(
            serde_json::from_value::<EventKind>(old).unwrap(),
            EventKind::PasswordChanged {
                account_id: None,
                ..
            }
        ));
        let registered = EventKind::Registered {
            invitation_id: "inv_1".into(),
            account_id: Some("acc_9".into()),
            username: "bob".into(),
            password_hash: "$argon2id$y".into(),
        };
        let json = serde_json::to_value(&registered).unwrap();
        assert_eq!(json["account_id"], "acc_9");
        assert_eq!(
            serde_json::from_value::<EventKind>(json).unwrap(),
            registered
        );
        let mirror: MirrorAccounts = serde_json::from_str(
            r#"{"accounts":[{"username":"ann","state":"enabled","name":"Ann"}]}"#,
        )
        .unwrap();
        assert_eq!(mirror.accounts[0].account_id, None);
        assert_eq!(mirror.accounts[0].password_hash, None);
    }

    #[test]
    fn only_bounded_argon2id_hashes_cross() {
        let good = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$\
                    q2hXdXRsUW9ZZ1JtVnhwTGhpRmV4c3JZcUdnbk5oa0U";
        assert_eq!(check_password_hash(good), Ok(()));
        let with = |params: &str| good.replace("m=19456,t=2,p=1", params);
        for (params, problem) in [
            (
                "m=4194304,t=2,p=1",
                PasswordHashProblem::ParametersOutOfBounds,
            ),
            ("m=8,t=1,p=1", PasswordHashProblem::ParametersOutOfBounds),
            (
                "m=19456,t=1000,p=1",
                PasswordHashProblem::ParametersOutOfBounds,
            ),
            (
                "m=19456,t=2,p=64",
                PasswordHashProblem::ParametersOutOfBounds,
            ),
            ("m=19456,t=2", PasswordHashProblem::NotArgon2id),
            ("m=19456,t=2,p=1,m=8", PasswordHashProblem::NotArgon2id),
            ("m=19456,t=2,p=1,x=1", PasswordHashProblem::NotArgon2id),
            ("m=-1,t=2,p=1", PasswordHashProblem::NotArgon2id),
            ("m=99999999999,t=2,p=1", PasswordHashProblem::NotArgon2id),
        ] {
            assert_eq!(check_password_hash(&with(params)), Err(problem), "{params}");
        }
        for bad in [
            "",
            "plain",
            &good.replace("argon2id", "argon2i"),
            &good.replace("v=19", "v=16"),
            &good.replace("$c2FsdHNhbHRzYWx0$", "$c2!s$"),
            &format!("{good}$extra"),
            &good[..good.len() - 30],
        ] {
            assert_eq!(
                check_password_hash(bad),
                Err(PasswordHashProblem::NotArgon2id),
                "{bad}"
            );
        }
    }

    #[test]
    fn bounced_is_a_new_kind_at_the_end() {
        let json =
            serde_json::json!({"kind":"invitation_bounced","invitation_id":"i","reason":"r"});
        assert_eq!(
            serde_json::from_value::<EventKind>(json).unwrap(),
            EventKind::InvitationBounced {
                invitation_id: "i".into(),
                reason: "r".into()
            }
        );
    }

    #[test]
    fn join_fields_are_a_closed_list() {
        for f in JoinField::ALL {
            assert_eq!(JoinField::parse(f.as_str()), Some(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert!(serde_json::from_str::<JoinField>("\"department\"").is_err());
        let rules: JoinLinkRules = serde_json::from_str(
            r#"{"organization_name":"Acme","approval_required":true,"required_fields":["email","employee_id"]}"#,
        )
        .unwrap();
        assert_eq!(
            rules.required_fields,
            [JoinField::Email, JoinField::EmployeeId]
        );
        assert_eq!(rules.expires_at, None);
    }

    #[test]
    fn the_join_link_answer_flattens_its_rules() {
        let link = JoinLink {
            enabled: true,
            link: Some("https://g/j/t".into()),
            code: Some("ABCD2345".into()),
            code_url: "https://g/join".into(),
            rules: JoinLinkRules {
                organization_name: "Acme".into(),
                approval_required: false,
                required_fields: vec![JoinField::Mobile],
                expires_at: Some(5),
            },
        };
        let json = serde_json::to_value(&link).unwrap();
        assert_eq!(json["organization_name"], "Acme");
        assert_eq!(json["required_fields"], serde_json::json!(["mobile"]));
        assert_eq!(serde_json::from_value::<JoinLink>(json).unwrap(), link);
        let off = serde_json::to_value(JoinLink {
            enabled: false,
            link: None,
            code: None,
            ..link
        })
        .unwrap();
        assert!(off.get("link").is_none() && off.get("code").is_none());
    }

    #[test]
    fn expiry_is_optional_on_create() {
        let c: CreateInvitation = serde_json::from_str(
            r#"{"channel":"email","recipient":"a@b.c","invitee_name":"A","organization_name":"O","inviter_name":"I"}"#,
        )
        .unwrap();
        assert_eq!(c.expires_in_secs, None);
        assert_eq!(c.department_label, "");
    }
}
