use orgdesk_core::organization::OrgOverview;
use orgdesk_core::settings::Settings;
use orgdesk_core::spreadsheet::Lang;
use orgdesk_core::team::Command;
use orgdesk_core::{CommandError, ErrorCode};

use super::{Answer, Dir};

#[tauri::command]
pub async fn org_overview(state: Dir<'_>) -> Answer<OrgOverview> {
    let me = state.require_session()?;
    state
        .with_directory(move |d| d.overview(me.member_id))
        .await
}

/// Renames the organization; on a computer in a team through the change log, answered once
/// the change is back.
#[tauri::command]
pub async fn rename_organization(state: Dir<'_>, name: String) -> Answer<OrgOverview> {
    let me = state.require_session()?;
    let command = Command::RenameOrganization { name: name.clone() };
    state
        .link()
        .logged(
            &state,
            move |_| Ok(command),
            move |d, a| d.rename_organization(a, &name),
            |_, done| Ok(done),
        )
        .await?;
    let (overview, session) = state
        .with_directory(move |d| Ok((d.overview(me.member_id)?, d.refresh_session(&me)?)))
        .await?;
    state.set_session(Some(session));
    Ok(overview)
}

directory_commands! {
    read get_settings() -> Settings = |d| d.settings();
    logged update_settings(settings: Settings) -> Settings =
        |d, a| d.update_settings(a, &settings),
        as |_| Ok(Command::update_settings(settings)),
        // The notification is this computer's own: written here, never sent to the log.
        then |d, _| {
            if let Some(on) = settings.join_notifications {
                d.set_join_notifications(on)?;
            }
            d.settings()
        };
}

/// The window says which language it shows (`en` or `zh-CN`), so that the OS notification
/// for new join requests is written in it. Asked before signing in too: the window's language
/// is no one's secret.
#[tauri::command]
pub async fn set_window_language(state: Dir<'_>, language: String) -> Answer<()> {
    let lang = Lang::parse(&language).ok_or_else(|| {
        CommandError::new(
            ErrorCode::Validation,
            format!("\"{language}\" is not a language of the window: en or zh-CN."),
        )
    })?;
    state.link().set_window_language(lang);
    Ok(())
}

/// The window has drawn its first picture: the link to the gateway, which waited so as not to
/// share the cores with the window's start, begins its work.
#[tauri::command]
pub async fn window_shown(state: Dir<'_>) -> Answer<()> {
    state.link().window_shown();
    Ok(())
}
