use orgdesk_core::invitations::{
    GatewayStatus, InvitationBatchOutcome, InvitationChange, InvitationCounts, InvitationPage,
    InvitationQuery, InviteChannel, InviteOutcome, PasswordResetSent,
};
use orgdesk_core::mailbox::{self, MailMessage, MailSummary};
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::team::Command;
use orgdesk_core::types::MemberId;

use super::{Answer, Dir};

directory_commands! {
    /// Invites the chosen members; on a computer in a team as an `invitation.send` change of
    /// the log, sent to the gateway from this computer once it is back.
    logged invite_members(
        member_ids: Vec<MemberId>,
        channel: InviteChannel,
        language: Option<Lang>
    ) -> InviteOutcome =
        |d, a| d.invite_members_in(a, &member_ids, channel, language),
        as |d| Command::send_invitations(d, &member_ids, channel, language);
    read list_invitations(query: InvitationQuery) -> InvitationPage =
        |d| d.invitation_page(&query);
    read invitation_counts() -> InvitationCounts = |d| d.invitation_counts();
    logged resend_invitation(id: i64) -> () =
        |d, a| d.resend_invitation(a, id),
        as |d| Command::change_invitations(d, &[id], InvitationChange::Resend);
    logged cancel_invitation(id: i64) -> () =
        |d, a| d.cancel_invitation(a, id),
        as |d| Command::change_invitations(d, &[id], InvitationChange::Cancel);
    /// Resends the chosen invitations in one transaction; the closed ones are passed over and
    /// named.
    logged resend_invitations(ids: Vec<i64>) -> InvitationBatchOutcome =
        |d, a| d.change_invitations(a, &ids, InvitationChange::Resend),
        as |d| Command::change_invitations(d, &ids, InvitationChange::Resend);
    /// Cancels the chosen invitations in one transaction; the closed ones are passed over and
    /// named.
    logged cancel_invitations(ids: Vec<i64>) -> InvitationBatchOutcome =
        |d, a| d.change_invitations(a, &ids, InvitationChange::Cancel),
        as |d| Command::change_invitations(d, &ids, InvitationChange::Cancel);
}

#[tauri::command]
pub async fn gateway_status(state: Dir<'_>) -> Answer<GatewayStatus> {
    state.require_session()?;
    Ok(state.link().status())
}

#[tauri::command]
pub async fn list_sent_mail(state: Dir<'_>) -> Answer<Vec<MailSummary>> {
    let dir = state.link().mail_dir().to_owned();
    state.read(move |_| mailbox::list_mail(&dir, 500)).await
}

#[tauri::command]
pub async fn read_sent_mail(state: Dir<'_>, file: String) -> Answer<MailMessage> {
    let dir = state.link().mail_dir().to_owned();
    state.read(move |_| mailbox::read_mail(&dir, &file)).await
}

/// The message of an invitation kept in the built-in gateway's mail folder (not sent).
#[tauri::command]
pub async fn read_invitation_mail(state: Dir<'_>, invitation_id: i64) -> Answer<MailMessage> {
    let dir = state.link().mail_dir().to_owned();
    state
        .read(move |d| mailbox::find_mail(&dir, &d.kept_message_id(invitation_id)?))
        .await
}

/// Asks the gateway for a password reset link for a member with an account, mailed to their
/// email, texted to their mobile, or shown here to pass on. A live call: the admin waits for the link.
#[tauri::command]
pub async fn send_password_reset(
    state: Dir<'_>,
    member_id: MemberId,
    channel: InviteChannel,
) -> Answer<PasswordResetSent> {
    let me = state.require_session()?.actor();
    let target = state
        .read(move |d| d.password_reset_target(&me, member_id))
        .await?;
    let request = target.request(channel)?;
    let key = orgdesk_core::invitations::new_idempotency_key();
    let created = state
        .link()
        .client()?
        .create(&key, &request)
        .await
        .map_err(|e| crate::gateway_link::reset_refused(e, &target.name))?;
    state
        .act(move |d, a| d.record_password_reset(a, member_id, channel))
        .await?;
    Ok(target.sent(channel, created.link, created.expires_at))
}
