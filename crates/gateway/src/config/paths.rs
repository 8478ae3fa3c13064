//! Relative paths in the configuration file. Under systemd (`StateDirectory=`) they are taken
//! in `$STATE_DIRECTORY`, so the installed configuration names `gateway.db` and the service
//! keeps it in `/var/lib/orgdesk-gateway`; elsewhere they are taken in the working directory,
//! so the same file starts as is wherever it is run.

use std::path::{Path, PathBuf};

use super::{Config, MailConfig};

/// Where relative paths go: the first directory systemd gives in `$STATE_DIRECTORY`.
pub fn state_directory() -> Option<PathBuf> {
    let dirs = std::env::var_os("STATE_DIRECTORY")?;
    let first = dirs.to_str()?.split(':').next()?;
    (!first.is_empty()).then(|| PathBuf::from(first))
}

/// `path` taken in `base` when it is relative.
pub fn under(base: &Path, path: &Path) -> PathBuf {
    if path.is_relative() {
        base.join(path)
    } else {
        path.to_owned()
    }
}

/// Whether `database` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

impl Config {
    /// Takes the relative paths the gateway writes (the SQLite file, the pepper file and the
    /// mail folder) in `base`. PostgreSQL URLs and absolute paths stay as they are.
    pub fn relative_to(&mut self, base: &Path) {
        if !is_postgres_url(&self.database) {
            let file = self
                .database
                .strip_prefix("sqlite://")
                .unwrap_or(&self.database);
            self.database = under(base, Path::new(file)).to_string_lossy().into_owned();
        }
        if let Some(pepper) = &self.pepper_file {
            self.pepper_file = Some(under(base, pepper));
        }
        if let MailConfig::File { dir, .. } = &mut self.mail {
            *dir = under(base, dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` read as a configuration and placed under /var/lib/orgdesk-gateway.
    fn placed(text: &str) -> Config {
        let mut config = Config::from_toml(text).unwrap();
        config.relative_to(Path::new("/var/lib/orgdesk-gateway"));
        config
    }

    #[test]
    fn relative_paths_go_to_the_base_and_others_stay() {
        let config = placed(
            "database='gateway.db'\npepper_file='pepper'\n[mail]\ntransport='file'\n\
             dir='outgoing-mail'\nfrom='a@b.c'",
        );
        assert_eq!(config.database, "/var/lib/orgdesk-gateway/gateway.db");
        assert_eq!(
            config.pepper_file.as_deref(),
            Some(Path::new("/var/lib/orgdesk-gateway/pepper"))
        );
        assert!(
            matches!(&config.mail, MailConfig::File { dir, .. } if dir == Path::new("/var/lib/orgdesk-gateway/outgoing-mail"))
        );
        let config = placed(
            "database='postgres://gw@127.0.0.1/gw'\npepper_file='/etc/orgdesk-gateway/pepper'",
        );
        assert_eq!(config.database, "postgres://gw@127.0.0.1/gw");
        assert_eq!(
            config.pepper_file.as_deref(),
            Some(Path::new("/etc/orgdesk-gateway/pepper"))
        );
    }
}
