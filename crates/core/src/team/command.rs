//! The directory edits a team's admins make, as the bodies of the organization's change log:
//! what each one is, how it is written and read back, and how it runs through the same core
//! function the window calls.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::auth::AdminRank;
use crate::batch::{BatchChange, Selection};
use crate::error::{CoreError, CoreResult, ErrorDetail};
use crate::gateway_accounts::{valid_account_id, NOT_AN_ACCOUNT_ID};
use crate::invitations::{new_idempotency_key, InvitationChange, InviteChannel, Sending};
use crate::join::{JoinDecision, JoinPlacement, JoinRequestIn, JoiningRules, TellGateway};
use crate::members::{MemberAction, MemberPatch, NewInvitee, NewMember, SetPasswordInput};
use crate::roles::NewRole;
use crate::settings::Settings;
use crate::spreadsheet::ImportPart;
use crate::store::Directory;
use crate::types::{DepartmentId, MemberId};
use orgdesk_protocol::{Event, EventKind};
use orgdesk_rules::Lang;

/// One edit of the directory. People and departments are named by their ids, which every
/// computer that applied the same log holds alike, never by a name someone else can choose.
///
/// In a body the variant's name is its `kind` and its fields its `args` (see
/// [`super::TeamCommand::to_body`]); serde reads it as `{kind: args}`, which lets a refusal
/// name the field inside `args` it is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Command {
    #[serde(rename = "department.create")]
    CreateDepartment {
        parent_id: DepartmentId,
        name: String,
    },
    #[serde(rename = "department.rename")]
    RenameDepartment {
        department_id: DepartmentId,
        name: String,
    },
    /// Under `parent_id`, at `index` among its children (none: last).
    #[serde(rename = "department.move")]
    MoveDepartment {
        department_id: DepartmentId,
        parent_id: DepartmentId,
        index: Option<u32>,
    },
    #[serde(rename = "department.set_head")]
    SetDepartmentHead {
        department_id: DepartmentId,
        head_id: Option<MemberId>,
    },
    #[serde(rename = "department.delete")]
    DeleteDepartment { department_id: DepartmentId },
    /// The member as the wizard gives it, with `password` left empty: the change carries the
    /// hash its author's computer made, and the id of the gateway account every computer
    /// binds the member to (see [`Command::add_member`]; none in a change of an older version).
    #[serde(rename = "member.add")]
    AddMember {
        member: NewMember,
        password_hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_id: Option<String>,
    },
    #[serde(rename = "member.update")]
    UpdateMember {
        member_id: MemberId,
        patch: MemberPatch,
    },
    /// Disable, enable, resign or restore.
    #[serde(rename = "member.status")]
    ChangeStatus {
        member_id: MemberId,
        action: MemberAction,
    },
    #[serde(rename = "member.remove")]
    RemoveMember {
        member_id: MemberId,
        transfer_to: Option<MemberId>,
    },
    #[serde(rename = "member.set_primary_department")]
    SetPrimaryDepartment {
        member_id: MemberId,
        department_id: DepartmentId,
    },
    /// One change to the members listed (a list's filter is turned into its ids when the
    /// command is made: what a filter finds depends on the moment).
    #[serde(rename = "member.batch")]
    BatchUpdate {
        member_ids: Vec<MemberId>,
        change: BatchChange,
    },
    /// The organization-wide settings; `joinNotifications`, each computer's own, is left out.
    #[serde(rename = "settings.update")]
    UpdateSettings { settings: Settings },
    /// The organization's name (its root department's too).
    #[serde(rename = "organization.rename")]
    RenameOrganization { name: String },
    /// A role of the organization's own. Its id is one above the largest role id, the same on
    /// every computer that applied the same log; later changes name it by its name, which is
    /// unique.
    #[serde(rename = "role.create")]
    CreateRole { role: NewRole },
    /// Someone to be invited, saved as Not Joined; the invitation is a change of its own
    /// (`invitation.send`).
    #[serde(rename = "member.add_invitee")]
    AddInvitee { invitee: NewInvitee },
    /// A member's new password as its hash, made on the author's computer (see
    /// [`Command::set_member_password`]).
    #[serde(rename = "member.set_password")]
    SetPassword {
        member_id: MemberId,
        password_hash: String,
        must_change: bool,
    },
    /// One part of an import: its rows as its author's computer validated them (see
    /// [`ImportPart`]), applied all or nothing.
    #[serde(rename = "member.import")]
    Import(ImportPart),
    /// A join request the gateway's feed brought, as the computer that pulled it read it
    /// (never a password: the hash the gateway sent), with the joining rules that computer
    /// held (the organization's, as its last `join.rules` left them), by which every computer
    /// records it, or without approval creates the member.
    /// One already recorded (another computer queued it first) is passed over.
    #[serde(rename = "join.request")]
    JoinRequest {
        request: JoinRequestIn,
        rules: JoiningRules,
    },
    /// A member event of the gateway's feed that changes the directory — a registration
    /// through an invitation, a password or the member's own details changed — as the gateway
    /// sent it (its id, kind, account id and fields; never a password: the hash the gateway
    /// sent), applied by every computer to the member bound to its account, never by a name.
    /// One already applied (another computer queued it first) is passed over, by the event's id.
    #[serde(rename = "member.event")]
    MemberEvent { event: Event },
    /// Approve (in `placement`; a rejected request too: re-approving) or reject the requests
    /// the gateway knows as `requestIds`, all or nothing, judged by the joining rules of the
    /// author's computer. Only that computer tells the gateway.
    #[serde(rename = "join.decide")]
    DecideJoin {
        request_ids: Vec<String>,
        approve: bool,
        placement: JoinPlacement,
        rules: JoiningRules,
    },
    /// Invitations to the Not Joined members `memberIds`, over `channel`, in `language`: the
    /// invitation to `memberIds[i]` is the one `keys[i]` names (its idempotency key with the
    /// gateway, made on the author's computer), so every computer records the same
    /// invitations. Only the author's computer sends them; none of it is a link or a token.
    #[serde(rename = "invitation.send")]
    SendInvitations {
        member_ids: Vec<MemberId>,
        keys: Vec<String>,
        channel: InviteChannel,
        language: Lang,
    },
    /// Send a fresh link for each invitation named by its key; the author's computer sends it.
    #[serde(rename = "invitation.resend")]
    ResendInvitations { invitations: Vec<String> },
    /// Cancel each invitation named by its key; the author's computer tells the gateway.
    #[serde(rename = "invitation.cancel")]
    CancelInvitations { invitations: Vec<String> },
    /// The gateway's id and the expiry (ms) of the link it made for the invitation `invitation`
    /// (its key), told by the computer that sent it, so that the gateway's events about it
    /// reach it everywhere and another computer can resend or cancel it. Never the link.
    #[serde(rename = "invitation.linked")]
    LinkInvitation {
        invitation: String,
        gateway_id: String,
        expires_at: i64,
    },
    /// The gateway refused for good to send the invitation `invitation` (its key), and why,
    /// told by the computer that sent it.
    #[serde(rename = "invitation.failed")]
    FailInvitation { invitation: String, reason: String },
    /// The joining rules every computer judges join requests by, set where the join link is
    /// switched on. The link and code themselves are the gateway's: the author's computer
    /// switches them on, rotates and switches them off.
    #[serde(rename = "join.rules")]
    SetJoiningRules { rules: JoiningRules },
}

/// The longest reason an `invitation.failed` change carries, in characters.
pub(crate) const MAX_FAILURE_CHARS: usize = 500;

/// The most members one batch change lists.
pub const MAX_BATCH_MEMBERS: usize = 5_000;

impl Command {
    /// "Add member" as a change: the password is checked against the policy and hashed here,
    /// once, on the author's computer; the change carries the hash and never the password, and
    /// a new gateway account id, made here too, so that every computer binds the member alike.
    pub fn add_member(mut member: NewMember) -> CoreResult<Self> {
        let mut problems = Vec::new();
        crate::password::check_credentials(&member.username, &member.password, &mut problems);
        if !problems.is_empty() {
            return Err(CoreError::invalid(problems));
        }
        let password_hash = crate::password::hash(&member.password)?;
        member.password.clear();
        Ok(Self::AddMember {
            member,
            password_hash,
            account_id: Some(orgdesk_rules::account::new_account_id()),
        })
    }

    /// "Set password" as a change: the password is checked against the policy (it may not
    /// hold the member's username, as `d` knows it) and hashed here, on the author's computer;
    /// the change carries the hash and never the password.
    pub fn set_member_password(
        d: &Directory,
        member_id: MemberId,
        input: &SetPasswordInput,
    ) -> CoreResult<Self> {
        Ok(Self::SetPassword {
            member_id,
            password_hash: d.new_password_hash(member_id, &input.password)?,
            must_change: input.must_change,
        })
    }

    /// "Decide join requests" as a change: the requests `ids` names here, by the gateway's
    /// ids, with the joining rules this computer holds.
    pub fn decide_join(d: &Directory, ids: &[i64], decision: JoinDecision) -> CoreResult<Self> {
        let (approve, placement) = match decision {
            JoinDecision::Approve(placement) => (true, placement),
            JoinDecision::Reject => (false, JoinPlacement::default()),
        };
        Ok(Self::DecideJoin {
            request_ids: d.join_request_gateway_ids(ids)?,
            approve,
            placement,
            rules: d.joining_rules()?,
        })
    }

    /// "Invite" as a change: the language (the organization's unless chosen) and each
    /// invitation's key are decided here, on the author's computer.
    pub fn send_invitations(
        d: &Directory,
        member_ids: &[MemberId],
        channel: InviteChannel,
        language: Option<Lang>,
    ) -> CoreResult<Self> {
        Ok(Self::SendInvitations {
            member_ids: member_ids.to_vec(),
            keys: member_ids.iter().map(|_| new_idempotency_key()).collect(),
            channel,
            language: language.map_or_else(|| d.invitation_language(), Ok)?,
        })
    }

    /// "Resend" or "Cancel" these invitations as a change, naming them by their keys (a row's
    /// id is each directory's own).
    pub fn change_invitations(
        d: &Directory,
        ids: &[i64],
        change: InvitationChange,
    ) -> CoreResult<Self> {
        let invitations = d.invitation_keys(ids)?;
        Ok(match change {
            InvitationChange::Resend => Self::ResendInvitations { invitations },
            InvitationChange::Cancel => Self::CancelInvitations { invitations },
        })
    }

    /// "Settings" as a change: this computer's own choices are left out.
    pub fn update_settings(mut settings: Settings) -> Self {
        settings.join_notifications = None;
        Self::UpdateSettings { settings }
    }

    /// Who may make it: settings are the Super Admins', as in the window. Renaming the
    /// organization is the initial admin's alone, who is a Super Admin: the rank is checked
    /// first, then the core refuses any other Super Admin as the direct edit does.
    pub fn needs(&self) -> AdminRank {
        match self {
            Self::UpdateSettings { .. } | Self::RenameOrganization { .. } => AdminRank::SuperAdmin,
            _ => AdminRank::Admin,
        }
    }

    /// The rules a body must keep beyond its shape, each refusal naming its field.
    pub(super) fn check(&self) -> Result<(), ErrorDetail> {
        let bad = |field: &str, reason: &str| {
            Err(ErrorDetail::field(
                &format!("args.{field}"),
                "invalid",
                reason,
            ))
        };
        match self {
            Self::AddMember { member, .. } if !member.password.is_empty() => bad(
                "member.password",
                "A change never carries a password, only its hash.",
            ),
            Self::AddMember {
                account_id: Some(id),
                ..
            } if !orgdesk_rules::account::is_account_id(id) => bad("accountId", NOT_AN_ACCOUNT_ID),
            Self::ChangeStatus {
                action: MemberAction::Edit | MemberAction::Remove,
                ..
            } => bad(
                "action",
                "The action must be disable, enable, resign or restore.",
            ),
            Self::BatchUpdate { member_ids, .. }
                if member_ids.is_empty() || member_ids.len() > MAX_BATCH_MEMBERS =>
            {
                bad(
                    "memberIds",
                    &format!("A batch change lists 1 to {MAX_BATCH_MEMBERS} members."),
                )
            }
            Self::UpdateSettings { settings } if settings.join_notifications.is_some() => bad(
                "settings.joinNotifications",
                "Notifications are each computer's own choice, not the organization's.",
            ),
            Self::RenameOrganization { name } => {
                crate::organization::parse_organization_name("name", name)
                    .map(drop)
                    .map_err(|e| within("", e))
            }
            Self::CreateRole { role } => role.check().map(drop).map_err(|e| within("role.", e)),
            Self::SetPassword { password_hash, .. } => {
                crate::password::check_hash(password_hash).map_err(|e| within("", e))
            }
            Self::Import(part) => part.check().map_err(|e| within("", e)),
            Self::SendInvitations {
                member_ids, keys, ..
            } if member_ids.is_empty()
                || member_ids.len() > MAX_BATCH_MEMBERS
                || keys.len() != member_ids.len() =>
            {
                bad(
                    "memberIds",
                    &format!("An invitation names 1 to {MAX_BATCH_MEMBERS} members, each with its key."),
                )
            }
            Self::SendInvitations { keys, .. } if !are_keys(keys) => bad(
                "keys",
                "Each invitation's key is 32 hexadecimal digits, each key once.",
            ),
            Self::ResendInvitations { invitations } | Self::CancelInvitations { invitations }
                if invitations.is_empty()
                    || invitations.len() > MAX_BATCH_MEMBERS
                    || !are_keys(invitations) =>
            {
                bad(
                    "invitations",
                    &format!("A change names 1 to {MAX_BATCH_MEMBERS} invitations by their keys, each once."),
                )
            }
            Self::LinkInvitation { invitation, .. } | Self::FailInvitation { invitation, .. }
                if !are_keys(std::slice::from_ref(invitation)) =>
            {
                bad("invitation", "An invitation is named by its key.")
            }
            Self::LinkInvitation { gateway_id, .. } if !is_gateway_id(gateway_id) => bad(
                "gatewayId",
                "The gateway's id is 1 to 100 visible characters.",
            ),
            Self::FailInvitation { reason, .. } if reason.chars().count() > MAX_FAILURE_CHARS => {
                bad("reason", "A reason holds at most 500 characters.")
            }
            Self::JoinRequest { request, .. } if !is_gateway_id(&request.gateway_id) => bad(
                "request.gatewayId",
                "A join request is named by the gateway's id for it.",
            ),
            Self::MemberEvent { event } => check_member_event(event),
            Self::DecideJoin { request_ids, .. }
                if request_ids.is_empty()
                    || request_ids.len() > MAX_BATCH_MEMBERS
                    || !request_ids.iter().all(|id| is_gateway_id(id)) =>
            {
                bad(
                    "requestIds",
                    &format!(
                        "A join decision names 1 to {MAX_BATCH_MEMBERS} requests by the gateway's ids."
                    ),
                )
            }
            Self::SetJoiningRules { rules } => rules.check().map_err(|e| within("rules.", e)),
            Self::AddInvitee { invitee } => {
                let mut problems = Vec::new();
                invitee.check(&mut problems);
                problems
                    .into_iter()
                    .next()
                    .map_or(Ok(()), |e| Err(within("invitee.", e)))
            }
            _ => Ok(()),
        }
    }

    /// Runs the command through the core function the window uses, as `actor`; `tell` says
    /// whether what the gateway must hear of it is queued here (its author's computer).
    pub(crate) fn run(
        &self,
        d: &mut Directory,
        actor: &Actor,
        tell: TellGateway,
    ) -> CoreResult<()> {
        match self {
            Self::CreateDepartment { parent_id, name } => {
                d.create_department(actor, *parent_id, name).map(drop)
            }
            Self::RenameDepartment {
                department_id,
                name,
            } => d.rename_department(actor, *department_id, name),
            Self::MoveDepartment {
                department_id,
                parent_id,
                index,
            } => d.move_department(actor, *department_id, *parent_id, index.map(|i| i as usize)),
            Self::SetDepartmentHead {
                department_id,
                head_id,
            } => d.set_department_head(actor, *department_id, *head_id),
            Self::DeleteDepartment { department_id } => {
                d.delete_department(actor, *department_id).map(drop)
            }
            Self::AddMember {
                member,
                password_hash,
                account_id,
            } => {
                let id = d.add_member_hashed(actor, member, Some(password_hash))?;
                d.bind_new_member(id, account_id.as_deref())
            }
            Self::UpdateMember { member_id, patch } => {
                d.update_member(actor, *member_id, patch).map(drop)
            }
            Self::ChangeStatus { member_id, action } => {
                d.change_status(actor, *member_id, *action).map(drop)
            }
            Self::RemoveMember {
                member_id,
                transfer_to,
            } => d.remove_member(actor, *member_id, *transfer_to).map(drop),
            Self::SetPrimaryDepartment {
                member_id,
                department_id,
            } => d.set_primary_department(actor, *member_id, *department_id),
            Self::BatchUpdate { member_ids, change } => {
                let selection = Selection::Ids {
                    ids: member_ids.clone(),
                };
                d.batch_update(actor, &selection, change).map(drop)
            }
            Self::UpdateSettings { settings } => d.update_settings(actor, settings).map(drop),
            Self::RenameOrganization { name } => d.rename_organization(actor, name),
            Self::CreateRole { role } => d.create_role(actor, role).map(drop),
            Self::AddInvitee { invitee } => d.add_invitee(actor, invitee).map(drop),
            Self::SetPassword {
                member_id,
                password_hash,
                must_change,
            } => d.set_member_password_hashed(actor, *member_id, password_hash, *must_change),
            Self::Import(part) => d.apply_import_part(actor, part),
            Self::JoinRequest { request, rules } => d.record_join_request(request, rules, tell),
            Self::MemberEvent { event } => d.apply_logged_member_event(event, tell),
            Self::DecideJoin {
                request_ids,
                approve,
                placement,
                rules,
            } => {
                let how = crate::join::Deciding { rules, tell };
                d.decide_join_by_gateway_ids(actor, request_ids, *approve, *placement, how)
            }
            Self::SendInvitations {
                member_ids,
                keys,
                channel,
                language,
            } => {
                let sending = Sending {
                    keys: Some(keys),
                    tell,
                };
                let out =
                    d.invite_members_with(actor, member_ids, *channel, Some(*language), sending)?;
                // Nobody invited: the change did nothing, and says why.
                if out.invited == 0 {
                    return Err(CoreError::invalid(out.skipped));
                }
                Ok(())
            }
            Self::ResendInvitations { invitations } => {
                d.change_invitations_by_key(actor, invitations, InvitationChange::Resend, tell)
            }
            Self::CancelInvitations { invitations } => {
                d.change_invitations_by_key(actor, invitations, InvitationChange::Cancel, tell)
            }
            Self::LinkInvitation {
                invitation,
                gateway_id,
                expires_at,
            } => {
                d.record_invitation_link(invitation, gateway_id, *expires_at)?;
                d.apply_registrations_waiting_for(invitation, gateway_id)
            }
            Self::FailInvitation { invitation, reason } => {
                d.record_invitation_failed(invitation, reason)
            }
            Self::SetJoiningRules { rules } => d.record_joining_rules(rules),
        }
    }
}

/// Whether `id` can be the gateway's id of a join request or an invitation: 1 to 100 visible
/// ASCII characters.
fn is_gateway_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The rules a member event keeps to be carried by the log: named by the gateway's id, of a
/// kind that changes the directory; a password or details change about an account named by
/// its id, a new password only as an Argon2id hash. A registration's account, username and
/// hash, and a member's new details, are checked as an admin's input when it is applied, as
/// from the feed (a bad one fails the invitation, or is kept out field by field).
fn check_member_event(event: &Event) -> Result<(), ErrorDetail> {
    let bad = |field: &str, reason: &str| {
        Err(ErrorDetail::field(
            &format!("args.event.{field}"),
            "invalid",
            reason,
        ))
    };
    if !is_gateway_id(&event.id) {
        return bad("id", "A gateway event is named by the gateway's id for it.");
    }
    let account_id = match &event.kind {
        EventKind::Registered { .. } => return Ok(()),
        EventKind::PasswordChanged {
            account_id,
            password_hash,
            ..
        } => {
            crate::password::check_hash(password_hash).map_err(|e| {
                let field = Some("password_hash".to_owned());
                within("event.", ErrorDetail { field, ..e })
            })?;
            account_id
        }
        EventKind::PersonalDetailsChanged { account_id, .. } => account_id,
        _ => return bad(
            "kind",
            "Only a registration, a new password or a member's own new details go through the log.",
        ),
    };
    match account_id {
        Some(id) if valid_account_id(id) => Ok(()),
        _ => bad(
            "account_id",
            "A member event names its account by the gateway's id: 1 to 64 letters, digits, _ or -.",
        ),
    }
}

/// Whether `keys` are invitations' keys (32 lowercase hexadecimal digits), each once.
fn are_keys(keys: &[String]) -> bool {
    let well_made = keys
        .iter()
        .all(|k| k.len() == 32 && k.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
    well_made && distinct.len() == keys.len()
}

/// A refusal of the core's rules about a field of the command's arguments, `prefix` naming
/// where in `args` that field is.
fn within(prefix: &str, detail: ErrorDetail) -> ErrorDetail {
    let field = detail.field.as_deref().unwrap_or_default();
    ErrorDetail {
        field: Some(format!("args.{prefix}{field}")),
        ..detail
    }
}
