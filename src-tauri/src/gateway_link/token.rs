//! The remote gateway's API token and, in team mode, this computer's device credential in the
//! system keyring (Keychain, Credential Manager or the Secret Service), one entry of each per
//! gateway address (`gateway-token URL`, `device-token URL`); Orgdesk keeps them nowhere else.
//!
//! In a debug build only, `ORGDESK_TEST_KEYRING=FILE` stands in for the system keyring (a JSON
//! object in FILE from the address to the API token, and from `device URL` to the device
//! credential), so that the command-line suite runs on machines with no keyring service and
//! never touches a developer's own keyring. Release builds ignore it.

const KEYRING_SERVICE: &str = crate::IDENTIFIER;

/// Which secret of a gateway address.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Secret {
    /// The organization's API token.
    ApiToken,
    /// This computer's device credential (team mode).
    DeviceToken,
}

impl Secret {
    fn entry_name(self, url: &str) -> String {
        match self {
            Self::ApiToken => format!("gateway-token {url}"),
            Self::DeviceToken => format!("device-token {url}"),
        }
    }

    /// How the link's status names a remote gateway reached with this secret: `remote` with
    /// the organization's API token, `team` with this computer's device credential.
    pub(crate) fn link_mode(self) -> &'static str {
        match self {
            Self::ApiToken => "remote",
            Self::DeviceToken => "team",
        }
    }

    #[cfg(debug_assertions)]
    fn test_key(self, url: &str) -> String {
        match self {
            Self::ApiToken => url.to_owned(),
            Self::DeviceToken => format!("device {url}"),
        }
    }
}

/// What to do with the token of one address: read it, store one, or remove it.
enum Op {
    Read,
    Store(String),
    Forget,
}

fn run(secret: Secret, url: &str, op: Op) -> Result<Option<String>, String> {
    #[cfg(debug_assertions)]
    if let Some(file) = std::env::var_os("ORGDESK_TEST_KEYRING") {
        return test_file::run(std::path::Path::new(&file), &secret.test_key(url), op);
    }
    let entry =
        keyring::Entry::new(KEYRING_SERVICE, &secret.entry_name(url)).map_err(|e| e.to_string())?;
    match op {
        Op::Read => entry.get_password().map(Some),
        Op::Store(token) => entry.set_password(&token).map(|()| None),
        Op::Forget => entry.delete_credential().map(|()| None),
    }
    .map_err(|e| e.to_string())
}

async fn run_blocking(secret: Secret, url: &str, op: Op) -> Result<Option<String>, String> {
    let url = url.to_owned();
    tauri::async_runtime::spawn_blocking(move || run(secret, &url, op))
        .await
        .map_err(|e| e.to_string())?
}

/// The API token kept for the gateway at `url`.
pub(crate) async fn keyring_token(url: &str) -> Result<String, String> {
    keyring_secret(Secret::ApiToken, url).await
}

/// The secret this computer presents to the remote gateway at `url`, the one rule of the
/// window's link and of the command line: on a computer in a team (`in_team`: the directory
/// names its device's account), its device credential when the keyring holds one; otherwise
/// the organization's API token. Desktops in a team do not share that token: a computer that
/// joined one holds only its own credential.
pub(crate) async fn link_secret(url: &str, in_team: bool) -> Result<(Secret, String), String> {
    if in_team {
        if let Ok(token) = keyring_secret(Secret::DeviceToken, url).await {
            return Ok((Secret::DeviceToken, token));
        }
    }
    keyring_token(url)
        .await
        .map(|token| (Secret::ApiToken, token))
}

pub(crate) async fn keyring_store(url: &str, token: &str) -> Result<(), String> {
    keyring_store_secret(Secret::ApiToken, url, token).await
}

pub(crate) async fn keyring_forget(url: &str) {
    keyring_forget_secret(Secret::ApiToken, url).await;
}

/// The `secret` kept for the gateway at `url`.
pub(crate) async fn keyring_secret(secret: Secret, url: &str) -> Result<String, String> {
    run_blocking(secret, url, Op::Read)
        .await?
        .ok_or_else(|| "no token is stored for this address".to_owned())
}

pub(crate) async fn keyring_store_secret(
    secret: Secret,
    url: &str,
    token: &str,
) -> Result<(), String> {
    run_blocking(secret, url, Op::Store(token.to_owned()))
        .await
        .map(|_| ())
}

pub(crate) async fn keyring_forget_secret(secret: Secret, url: &str) {
    let _ = run_blocking(secret, url, Op::Forget).await;
}

/// The test keyring: a JSON object from address to token, rewritten whole.
#[cfg(debug_assertions)]
mod test_file {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::Op;

    /// Tests of one process share the file: one reads and rewrites it at a time.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    pub(super) fn run(file: &Path, key: &str, op: Op) -> Result<Option<String>, String> {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let mut tokens: BTreeMap<String, String> = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e.to_string()),
        };
        match op {
            Op::Read => return Ok(tokens.get(key).cloned()),
            Op::Store(token) => {
                tokens.insert(key.to_owned(), token);
            }
            Op::Forget => {
                tokens.remove(key);
            }
        }
        let bytes = serde_json::to_vec(&tokens).map_err(|e| e.to_string())?;
        std::fs::write(file, bytes).map_err(|e| e.to_string())?;
        Ok(None)
    }
}
