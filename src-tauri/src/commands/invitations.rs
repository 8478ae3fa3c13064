use std::sync::Arc;

use orgdesk_core::invitations::{
    GatewayStatus, InvitationCounts, InvitationPage, InvitationQuery, InviteChannel, InviteOutcome,
    PasswordResetSent,
};
use orgdesk_core::mailbox::{self, MailMessage, MailSummary};
use orgdesk_core::types::MemberId;
use orgdesk_core::CommandError;
use tauri::State;

use crate::gateway_link::GatewayLink;
use crate::state::AppState;

#[tauri::command]
pub async fn invite_members(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    member_ids: Vec<MemberId>,
    channel: InviteChannel,
) -> Result<InviteOutcome, CommandError> {
    link.act(&state, move |d, a| {
        d.invite_members(a, &member_ids, channel)
    })
    .await
}

#[tauri::command]
pub async fn list_invitations(
    state: State<'_, AppState>,
    query: InvitationQuery,
) -> Result<InvitationPage, CommandError> {
    state.read(move |d| d.invitation_page(&query)).await
}

#[tauri::command]
pub async fn invitation_counts(
    state: State<'_, AppState>,
) -> Result<InvitationCounts, CommandError> {
    state.read(|d| d.invitation_counts()).await
}

#[tauri::command]
pub async fn resend_invitation(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    id: i64,
) -> Result<(), CommandError> {
    link.act(&state, move |d, a| d.resend_invitation(a, id))
        .await
}

#[tauri::command]
pub async fn cancel_invitation(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    id: i64,
) -> Result<(), CommandError> {
    link.act(&state, move |d, a| d.cancel_invitation(a, id))
        .await
}

#[tauri::command]
pub async fn gateway_status(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
) -> Result<GatewayStatus, CommandError> {
    state.require_session()?;
    Ok(link.status())
}

#[tauri::command]
pub async fn list_sent_mail(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
) -> Result<Vec<MailSummary>, CommandError> {
    let dir = link.mail_dir().to_owned();
    state.read(move |_| mailbox::list_mail(&dir, 500)).await
}

#[tauri::command]
pub async fn read_sent_mail(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    file: String,
) -> Result<MailMessage, CommandError> {
    let dir = link.mail_dir().to_owned();
    state.read(move |_| mailbox::read_mail(&dir, &file)).await
}

/// The message of an invitation kept in the built-in gateway's mail folder (not sent).
#[tauri::command]
pub async fn read_invitation_mail(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    invitation_id: i64,
) -> Result<MailMessage, CommandError> {
    let dir = link.mail_dir().to_owned();
    state
        .read(move |d| mailbox::find_mail(&dir, &d.kept_message_id(invitation_id)?))
        .await
}

/// Asks the gateway for a password reset link for a member with an account, mailed to their
/// email, texted to their mobile, or shown here to pass on. A live call: the admin waits for the link.
#[tauri::command]
pub async fn send_password_reset(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    member_id: MemberId,
    channel: InviteChannel,
) -> Result<PasswordResetSent, CommandError> {
    let target = state
        .read(move |d| d.password_reset_target(member_id))
        .await?;
    let request = target.request(channel)?;
    let key = orgdesk_core::invitations::new_idempotency_key();
    let created = link
        .client()?
        .create_password_reset(&key, &request)
        .await
        .map_err(|e| crate::gateway_link::reset_refused(e, &target.name))?;
    state
        .act(move |d, a| d.record_password_reset(a, member_id, channel))
        .await?;
    Ok(target.sent(channel, created.link, created.expires_at))
}
