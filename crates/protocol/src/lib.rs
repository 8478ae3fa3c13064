//! Wire types shared by the Orgdesk desktop and the Orgdesk gateway.
//!
//! Every type here is part of a versioned HTTP API (`/api/v1`); a change that an older
//! peer cannot read needs a new version, not an edit.

/// The API version this crate describes; it is the path prefix of every endpoint.
pub const API_VERSION: &str = "v1";

#[cfg(test)]
mod tests {
    #[test]
    fn api_version_is_the_path_prefix() {
        assert_eq!(format!("/api/{}", super::API_VERSION), "/api/v1");
    }
}
