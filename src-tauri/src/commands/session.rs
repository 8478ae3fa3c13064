use orgdesk_core::auth::{Session, SignInInput};
use orgdesk_core::members::ChangeOwnPasswordInput;
use orgdesk_core::organization::{AppStatus, SetupInput};

use super::{Answer, Dir};

#[tauri::command]
pub async fn app_status(state: Dir<'_>) -> Answer<AppStatus> {
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
pub async fn setup_organization(state: Dir<'_>, input: SetupInput) -> Answer<()> {
    state
        .with_directory(move |d| d.setup_organization(&input).map(|_| ()))
        .await
}

#[tauri::command]
pub async fn sign_in(state: Dir<'_>, input: SignInInput) -> Answer<Session> {
    let session = state.with_directory(move |d| d.sign_in(&input)).await?;
    state.set_session(Some(session.clone()));
    Ok(session)
}

/// The signed-in admin changes their own password (also when an admin set it and asked for a
/// new one, which is all they may do until then). Answers the session as it is now.
#[tauri::command]
pub async fn change_own_password(state: Dir<'_>, input: ChangeOwnPasswordInput) -> Answer<Session> {
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
pub async fn sign_out(state: Dir<'_>) -> Answer<()> {
    state.set_session(None);
    Ok(())
}
