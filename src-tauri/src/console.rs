//! The release build on Windows is a GUI program (`windows_subsystem = "windows"` in
//! `main.rs`), so Windows gives it no console: started from cmd.exe or PowerShell with
//! arguments, whatever it printed (`orgdesk --help`, a command's answer or refusal) would go
//! nowhere. With arguments it therefore attaches to the console of the program that started
//! it, before anything is printed. Without arguments (the window) nothing changes, and on
//! other systems this does nothing.
//!
//! The one unsafe call of the desktop app. No small maintained crate wraps `AttachConsole`
//! safely (the ones that do are unmaintained wrappers over the old `winapi` bindings), so it
//! is called through Microsoft's `windows-sys` bindings here, the only place where the crate's
//! `unsafe_code = "deny"` (the rest of the workspace forbids it) is allowed.

/// Attaches to the parent's console when there is one (a failure — no parent console, or the
/// debug build's own console — leaves things as they are).
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{AttachConsole, ATTACH_PARENT_PROCESS};
    // SAFETY: AttachConsole takes a process id by value, reads and writes no memory of ours,
    // and is called before any thread that could print has started; it returns 0 and changes
    // nothing when it cannot attach.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// Other systems give every program the console it was started from.
#[cfg(not(windows))]
pub fn attach_parent_console() {}
