//! The commands the window may call, one file per UI area. Each parses, calls the core and
//! maps the error; nothing else happens here.

pub mod departments;
pub mod organization;
pub mod session;
