use std::sync::Arc;

use orgdesk_core::invitations::{
    GatewayStatus, InvitationCounts, InvitationQuery, InvitationRow, InviteChannel, InviteOutcome,
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
    let out = state
        .act(move |d, a| d.invite_members(a, &member_ids, channel))
        .await?;
    link.ring();
    Ok(out)
}

#[tauri::command]
pub async fn list_invitations(
    state: State<'_, AppState>,
    query: InvitationQuery,
) -> Result<Vec<InvitationRow>, CommandError> {
    state.read(move |d| d.list_invitations(&query)).await
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
    state.act(move |d, a| d.resend_invitation(a, id)).await?;
    link.ring();
    Ok(())
}

#[tauri::command]
pub async fn cancel_invitation(
    state: State<'_, AppState>,
    link: State<'_, Arc<GatewayLink>>,
    id: i64,
) -> Result<(), CommandError> {
    state.act(move |d, a| d.cancel_invitation(a, id)).await?;
    link.ring();
    Ok(())
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
