use orgdesk_core::auth::{Session, SignInInput};
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

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.set_session(None);
    Ok(())
}
