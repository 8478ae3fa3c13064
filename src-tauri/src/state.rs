//! What the running app holds: the directory (one write connection) and who is signed in.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use orgdesk_core::audit::Actor;
use orgdesk_core::auth::Session;
use orgdesk_core::{CommandError, CoreError, Directory, ErrorCode};

pub struct AppState {
    directory: Arc<Mutex<Directory>>,
    session: Mutex<Option<Session>>,
    warmed: AtomicBool,
    pub db_path: PathBuf,
}

impl AppState {
    pub fn new(directory: Directory, db_path: PathBuf) -> Self {
        Self {
            directory: Arc::new(Mutex::new(directory)),
            session: Mutex::new(None),
            warmed: AtomicBool::new(false),
            db_path,
        }
    }

    /// The directory itself, for the gateway link's background rounds.
    pub fn shared_directory(&self) -> Arc<Mutex<Directory>> {
        Arc::clone(&self.directory)
    }

    /// Runs `f` on the directory on a blocking thread, so the UI never waits on the main
    /// thread, and maps its error to what the UI reads.
    pub async fn with_directory<T, F>(&self, f: F) -> Result<T, CommandError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Directory) -> Result<T, CoreError> + Send + 'static,
    {
        let dir = self.directory.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = dir.lock().map_err(|_| {
                CommandError::new(
                    ErrorCode::Internal,
                    "The directory is unavailable after an earlier failure. Restart Orgdesk.",
                )
            })?;
            f(&mut guard).map_err(CommandError::from)
        })
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("The operation stopped unexpectedly: {e}"),
            )
        })?
    }

    /// Makes the directory of a computer that has none yet (joining a team): the directory
    /// not set up that the window opened is closed and its file removed, then `make` creates
    /// the new one at the same path. Refused once an organization is set up here; if `make`
    /// fails, an empty directory is opened there again.
    pub async fn create_directory<F>(&self, make: F) -> Result<(), CommandError>
    where
        F: FnOnce(&Path) -> Result<Directory, CoreError> + Send + 'static,
    {
        let path = self.db_path.clone();
        self.with_directory(move |d| {
            if d.is_initialized()? {
                return Err(CoreError::AlreadyInitialized);
            }
            let placeholder = Directory::open_in_memory(Arc::new(orgdesk_core::SystemClock))?;
            drop(std::mem::replace(d, placeholder));
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                match std::fs::remove_file(&file) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        *d = Directory::open(&path)?;
                        return Err(CoreError::Internal(format!(
                            "The empty directory at {} could not be removed: {e}",
                            path.display()
                        )));
                    }
                    _ => {}
                }
            }
            match make(&path) {
                Ok(made) => {
                    *d = made;
                    Ok(())
                }
                Err(e) => {
                    *d = Directory::open(&path)?;
                    Err(e)
                }
            }
        })
        .await
    }

    /// Builds the directory's member index in the background, once: asked for by the first
    /// `app_status`, so it is ready by the time the admin has typed a password.
    pub fn warm_up_once(&self) {
        if self.warmed.swap(true, Ordering::SeqCst) {
            return;
        }
        let dir = Arc::clone(&self.directory);
        tauri::async_runtime::spawn_blocking(move || {
            if let Ok(guard) = dir.lock() {
                // A failure here is met again, and reported, by the read that needs the index.
                let _ = guard.warm_up();
            }
        });
    }

    /// Runs a change as the signed-in admin (the actor of its audit entries).
    pub async fn act<T, F>(&self, f: F) -> Result<T, CommandError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Directory, &Actor) -> Result<T, CoreError> + Send + 'static,
    {
        let actor = self.require_session()?.actor();
        self.with_directory(move |d| f(d, &actor)).await
    }

    /// Runs a read for a signed-in admin.
    pub async fn read<T, F>(&self, f: F) -> Result<T, CommandError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Directory) -> Result<T, CoreError> + Send + 'static,
    {
        self.require_session()?;
        self.with_directory(f).await
    }

    pub fn session(&self) -> Option<Session> {
        self.session.lock().ok().and_then(|s| s.clone())
    }

    /// The signed-in admin, or the error that tells the UI to show the sign-in screen. An
    /// admin whose password was set by another admin with "must change" may do nothing else
    /// until they have chosen their own ([`AppState::require_signed_in`] lets them do that).
    pub fn require_session(&self) -> Result<Session, CommandError> {
        let session = self.require_signed_in()?;
        if session.must_change_password {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "Choose a new password first: an admin set yours and asked you to change it.",
            ));
        }
        Ok(session)
    }

    /// The signed-in admin, whether or not they must change their password first.
    pub fn require_signed_in(&self) -> Result<Session, CommandError> {
        self.session()
            .ok_or_else(|| CommandError::new(ErrorCode::NotSignedIn, "Sign in to continue."))
    }

    pub fn set_session(&self, s: Option<Session>) {
        if let Ok(mut guard) = self.session.lock() {
            *guard = s;
        }
    }
}
