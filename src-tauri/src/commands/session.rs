use orgdesk_core::auth::{Session, SignInInput};
use orgdesk_core::members::ChangeOwnPasswordInput;
use orgdesk_core::organization::{AppStatus, SetupInput};
use orgdesk_core::CommandError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, CommandError> {
    let initialized = state.with_directory(|d| d.is_initialized()).await?;
    if initialized {
        state.warm_up_once();
    }
    Ok(AppStatus {
        initialized,
        session: state.session(),
        db_path: state.db_path.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

#[tauri::command]
pub async fn setup_organization(
    state: State<'_, AppState>,
    input: SetupInput,
) -> Result<(), CommandError> {
    state
        .with_directory(move |d| d.setup_organization(&input).map(|_| ()))
        .await
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    input: SignInInput,
) -> Result<Session, CommandError> {
    let session = state.with_directory(move |d| d.sign_in(&input)).await?;
    state.set_session(Some(session.clone()));
    Ok(session)
}

/// The signed-in admin changes their own password (also when an admin set it and asked for a
/// new one, which is all they may do until then). Answers the session as it is now.
#[tauri::command]
pub async fn change_own_password(
    state: State<'_, AppState>,
    input: ChangeOwnPasswordInput,
) -> Result<Session, CommandError> {
    let session = state.require_signed_in()?;
    let actor = session.actor();
    let refreshed = state
        .with_directory(move |d| {
            d.change_own_password(&actor, &input)?;
            d.refresh_session(&session)
        })
        .await?;
    state.set_session(Some(refreshed.clone()));
    Ok(refreshed)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.set_session(None);
    Ok(())
}
