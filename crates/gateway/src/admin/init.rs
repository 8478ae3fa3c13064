//! `orgdesk-gateway init`: writes a configuration from the sample with the answers given,
//! the pepper beside it (mode 0600, the file the systemd unit loads as a credential) and the
//! first organization, whose API token is returned to be shown once.

use std::path::{Path, PathBuf};

use crate::config::{is_postgres_url, under, Config};
use crate::error::{GatewayError, Result};
use crate::secrets::Pepper;

use super::SAMPLE_CONFIG;

/// What `init` was told (flags, or answers at the prompt).
#[derive(Debug, Clone)]
pub struct InitAnswers {
    /// The configuration file to write.
    pub config: PathBuf,
    /// SQLite file (relative: in `state_dir`, written as the whole path) or a
    /// `postgres://` URL.
    pub database: String,
    /// Empty: the loopback address.
    pub public_url: String,
    pub organization: String,
    /// Where a relative database file goes (the service's state directory).
    pub state_dir: PathBuf,
    /// Overwrite an existing configuration file.
    pub force: bool,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitDone {
    pub config: PathBuf,
    pub pepper: PathBuf,
    pub pepper_created: bool,
    pub organization_id: String,
    /// Shown once; only its hash is kept.
    pub api_token: String,
}

/// The sample's line for `key`, replaced by `key = "value"`; an error when the sample lost it.
fn set_line(text: &str, line: &str, key: &str, value: &str) -> Result<String> {
    if !text.lines().any(|l| l == line) {
        return Err(GatewayError::Internal(format!(
            "the sample configuration has no line {line:?}"
        )));
    }
    let quoted = toml::Value::String(value.to_owned()).to_string();
    Ok(text.replacen(line, &format!("{key} = {quoted}"), 1))
}

/// The database as written: a SQLite file taken in the state directory, so that `check` and
/// the other commands find it from any working directory; a PostgreSQL URL as given.
fn database_for(answers: &InitAnswers) -> String {
    let db = answers.database.trim();
    if is_postgres_url(db) {
        return db.to_owned();
    }
    let file = db.strip_prefix("sqlite://").unwrap_or(db);
    let base = std::path::absolute(&answers.state_dir).unwrap_or(answers.state_dir.clone());
    under(&base, Path::new(file)).to_string_lossy().into_owned()
}

/// The configuration text for these answers, checked as the gateway will read it.
pub fn config_text(answers: &InitAnswers, pepper: &Path) -> Result<String> {
    let database = database_for(answers);
    let mut text = set_line(
        SAMPLE_CONFIG,
        "database = \"gateway.db\"",
        "database",
        &database,
    )?;
    text = set_line(
        &text,
        "pepper_file = \"pepper\"",
        "pepper_file",
        &pepper.to_string_lossy(),
    )?;
    if !answers.public_url.is_empty() {
        text = set_line(
            &text,
            "# public_url = \"https://join.example.org\"",
            "public_url",
            &answers.public_url,
        )?;
    }
    Config::from_toml(&text)?;
    Ok(text)
}

/// Sets a file that `init` made, running as root, to the owner of the directory it is in
/// (the service's user, when its state directory already exists), so the service can open it.
#[cfg(unix)]
fn give_to_directory_owner(file: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Some(dir) = file.parent() else {
        return Ok(());
    };
    let (Ok(dir_meta), Ok(file_meta)) = (std::fs::metadata(dir), std::fs::metadata(file)) else {
        return Ok(());
    };
    if (dir_meta.uid(), dir_meta.gid()) != (file_meta.uid(), file_meta.gid()) {
        std::os::unix::fs::chown(file, Some(dir_meta.uid()), Some(dir_meta.gid()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn give_to_directory_owner(_file: &Path) -> Result<()> {
    Ok(())
}

/// Writes `text` to `path`: a new file, or over the old one when `force`.
fn write_config(path: &Path, text: &str, force: bool) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // It names no secret (those are in the pepper, credentials and the environment),
        // and the service's own user must read it.
        options.mode(0o644);
    }
    let mut file = options
        .open(path)
        .map_err(|e| GatewayError::Config(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

pub async fn init(answers: &InitAnswers) -> Result<InitDone> {
    let config_path = &answers.config;
    if config_path.exists() && !answers.force {
        return Err(GatewayError::Config(format!(
            "{} already exists; pass --force to overwrite it (its pepper and database are kept)",
            config_path.display()
        )));
    }
    if answers.organization.trim().is_empty() {
        return Err(GatewayError::Config(
            "the organization's name (--org) must not be empty".into(),
        ));
    }
    let dir = match config_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let dir = std::path::absolute(&dir)?;
    let pepper = dir.join("pepper");
    // Checked before anything is written.
    let text = config_text(answers, &pepper)?;
    std::fs::create_dir_all(&dir)?;
    let pepper_created = !pepper.exists();
    Pepper::load_or_create(&pepper)?;

    let config = Config::from_toml(&text)?;
    let store = crate::open_store(&config).await?;
    let creds = crate::create_organization(
        store.as_ref(),
        answers.organization.trim(),
        crate::clock::Clock::now_secs(&crate::SystemClock),
    )
    .await?;
    drop(store);
    if !is_postgres_url(&config.database) {
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", config.database));
            if file.exists() {
                give_to_directory_owner(&file)?;
            }
        }
    }
    write_config(config_path, &text, answers.force)?;
    Ok(InitDone {
        config: config_path.clone(),
        pepper,
        pepper_created,
        organization_id: creds.organization_id,
        api_token: creds.api_token,
    })
}
