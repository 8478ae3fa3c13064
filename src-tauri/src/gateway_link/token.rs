//! The remote gateway's API token in the system keyring (Keychain, Credential Manager or the
//! Secret Service), one entry per gateway address; Orgdesk keeps it nowhere else.
//!
//! In a debug build only, `ORGDESK_TEST_KEYRING=FILE` stands in for the system keyring (a JSON
//! object from address to token in FILE), so that the command-line suite runs on machines with
//! no keyring service and never touches a developer's own keyring. Release builds ignore it.

const KEYRING_SERVICE: &str = crate::IDENTIFIER;

fn keyring_entry(url: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("gateway-token {url}")).map_err(|e| e.to_string())
}

/// What to do with the token of one address: read it, store one, or remove it.
enum Op {
    Read,
    Store(String),
    Forget,
}

fn run(url: &str, op: Op) -> Result<Option<String>, String> {
    #[cfg(debug_assertions)]
    if let Some(file) = std::env::var_os("ORGDESK_TEST_KEYRING") {
        return test_file::run(std::path::Path::new(&file), url, op);
    }
    let entry = keyring_entry(url)?;
    match op {
        Op::Read => entry.get_password().map(Some),
        Op::Store(token) => entry.set_password(&token).map(|()| None),
        Op::Forget => entry.delete_credential().map(|()| None),
    }
    .map_err(|e| e.to_string())
}

async fn run_blocking(url: &str, op: Op) -> Result<Option<String>, String> {
    let url = url.to_owned();
    tauri::async_runtime::spawn_blocking(move || run(&url, op))
        .await
        .map_err(|e| e.to_string())?
}

pub(crate) async fn keyring_token(url: &str) -> Result<String, String> {
    run_blocking(url, Op::Read)
        .await?
        .ok_or_else(|| "no token is stored for this address".to_owned())
}

pub(crate) async fn keyring_store(url: &str, token: &str) -> Result<(), String> {
    run_blocking(url, Op::Store(token.to_owned()))
        .await
        .map(|_| ())
}

pub(crate) async fn keyring_forget(url: &str) {
    let _ = run_blocking(url, Op::Forget).await;
}

/// The test keyring: a JSON object from address to token, rewritten whole.
#[cfg(debug_assertions)]
mod test_file {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::Op;

    pub(super) fn run(file: &Path, url: &str, op: Op) -> Result<Option<String>, String> {
        let mut tokens: BTreeMap<String, String> = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e.to_string()),
        };
        match op {
            Op::Read => return Ok(tokens.get(url).cloned()),
            Op::Store(token) => {
                tokens.insert(url.to_owned(), token);
            }
            Op::Forget => {
                tokens.remove(url);
            }
        }
        let bytes = serde_json::to_vec(&tokens).map_err(|e| e.to_string())?;
        std::fs::write(file, bytes).map_err(|e| e.to_string())?;
        Ok(None)
    }
}
