//! The remote gateway's API token in the system keyring (Keychain, Credential Manager or the
//! Secret Service), one entry per gateway address; Orgdesk keeps it nowhere else.

const KEYRING_SERVICE: &str = crate::IDENTIFIER;

fn keyring_entry(url: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("gateway-token {url}")).map_err(|e| e.to_string())
}

pub(crate) async fn keyring_token(url: &str) -> Result<String, String> {
    let url = url.to_owned();
    tauri::async_runtime::spawn_blocking(move || {
        keyring_entry(&url)?
            .get_password()
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

pub(super) async fn keyring_store(url: &str, token: &str) -> Result<(), String> {
    let (url, token) = (url.to_owned(), token.to_owned());
    tauri::async_runtime::spawn_blocking(move || {
        keyring_entry(&url)?
            .set_password(&token)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

pub(super) async fn keyring_forget(url: &str) {
    let url = url.to_owned();
    let _ = tauri::async_runtime::spawn_blocking(move || {
        if let Ok(entry) = keyring_entry(&url) {
            let _ = entry.delete_credential();
        }
    })
    .await;
}
