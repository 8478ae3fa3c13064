//! Tokens, their hashes and the server pepper.
//!
//! Every secret the gateway hands out (invitation tokens, API tokens) is 32 bytes from the
//! OS generator, written base64url. The database only ever holds keyed hashes of them, so a
//! copy of the database opens no invitation. Where the gateway must remember a live token to
//! answer again (an idempotent replay, a mail still waiting in the outbox) it keeps it sealed
//! under the pepper, which lives outside the database.

use std::path::Path;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::GatewayError;

type HmacSha256 = Hmac<Sha256>;

/// 32 random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS generator failing is not something a server can work around.
    OsRng
        .try_fill_bytes(&mut buf)
        .expect("the operating system's random generator failed");
    buf
}

pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A new secret token: its bytes and the text that goes into links.
pub fn new_token() -> ([u8; 32], String) {
    let bytes = random_bytes::<32>();
    let text = encode(&bytes);
    (bytes, text)
}

/// Decodes a token from a link; anything that is not exactly 32 bytes of base64url is no token.
pub fn decode_token(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    match Base64UrlUnpadded::decode(text, &mut out) {
        Ok(decoded) if decoded.len() == 32 => Some(out),
        _ => None,
    }
}

/// Lower-case hex, for ids.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new opaque id such as `inv_3f…` (96 random bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex(&random_bytes::<12>()))
}

/// A gateway account's stable id: 128 random bits, never reused. The directory binds its
/// member to it, so it must not be guessable from the username or the time.
pub fn new_account_id() -> String {
    orgdesk_rules::account::account_id(random_bytes::<16>())
}

/// SHA-256, used for API tokens (high-entropy, so no pepper is needed) and request digests.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Equal in time whatever the inputs, so that a comparison leaks nothing about a secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The server-side key: hashes invitation tokens, seals tokens at rest and signs CSRF tokens.
#[derive(Clone)]
pub struct Pepper([u8; 32]);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(…)")
    }
}

const SEAL_NONCE: usize = 16;
const SEAL_TAG: usize = 16;

impl Pepper {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A pepper for this process only: links stop working when it exits. For tests and for
    /// a gateway whose database is itself temporary.
    pub fn ephemeral() -> Self {
        Self(random_bytes())
    }

    /// Reads the pepper file, creating it (mode 0600) with fresh random bytes on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, GatewayError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut out = [0u8; 32];
                match Base64UrlUnpadded::decode(text.trim(), &mut out) {
                    Ok(d) if d.len() == 32 => Ok(Self(out)),
                    _ => Err(GatewayError::Config(format!(
                        "{} must hold 32 bytes in base64url",
                        path.display()
                    ))),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pepper = Self::ephemeral();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                use std::io::Write;
                let mut file = options.open(path)?;
                writeln!(file, "{}", encode(&pepper.0))?;
                file.sync_all()?;
                Ok(pepper)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        for part in parts {
            // Length-prefix every part so that ("ab","c") and ("a","bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// What the database stores for an invitation token.
    pub fn token_hash(&self, token: &[u8; 32]) -> [u8; 32] {
        self.mac(&[b"invitation-token", token])
    }

    /// Encrypts a token for storage: nonce ‖ token ⊕ HMAC(pepper, nonce) ‖ tag. HMAC-SHA256 is
    /// a PRF, so with a fresh nonce per seal this is a one-time pad; the tag detects tampering.
    pub fn seal(&self, token: &[u8; 32]) -> Vec<u8> {
        let nonce = random_bytes::<SEAL_NONCE>();
        let pad = self.mac(&[b"seal-pad", &nonce]);
        let mut out = Vec::with_capacity(SEAL_NONCE + 32 + SEAL_TAG);
        out.extend_from_slice(&nonce);
        out.extend(token.iter().zip(pad).map(|(t, p)| t ^ p));
        let tag = self.mac(&[b"seal-tag", &out]);
        out.extend_from_slice(&tag[..SEAL_TAG]);
        out
    }

    /// The token [`Pepper::seal`] sealed, or `None` if the blob was altered or sealed under
    /// another pepper.
    pub fn open(&self, sealed: &[u8]) -> Option<[u8; 32]> {
        if sealed.len() != SEAL_NONCE + 32 + SEAL_TAG {
            return None;
        }
        let (body, tag) = sealed.split_at(SEAL_NONCE + 32);
        if !constant_time_eq(&self.mac(&[b"seal-tag", body])[..SEAL_TAG], tag) {
            return None;
        }
        let (nonce, cipher) = body.split_at(SEAL_NONCE);
        let pad = self.mac(&[b"seal-pad", nonce]);
        let mut token = [0u8; 32];
        for (i, (c, p)) in cipher.iter().zip(pad).enumerate() {
            token[i] = c ^ p;
        }
        Some(token)
    }

    /// The CSRF token a form carries: bound to the browser's CSRF cookie and to the form's
    /// action, so it is useless on another browser or another form.
    pub fn csrf_token(&self, cookie: &str, action: &str) -> String {
        encode(&self.mac(&[b"csrf", cookie.as_bytes(), action.as_bytes()]))
    }

    pub fn csrf_ok(&self, cookie: &str, action: &str, submitted: &str) -> bool {
        constant_time_eq(
            self.csrf_token(cookie, action).as_bytes(),
            submitted.as_bytes(),
        )
    }
}

/// A per-organization API token: `ORG_ID.SECRET`. The id finds the organization; the secret's
/// SHA-256 is compared in constant time with the stored one.
pub fn new_api_token(org_id: &str) -> (String, [u8; 32]) {
    let (_, secret) = new_token();
    let token = format!("{org_id}.{secret}");
    (token, sha256(secret.as_bytes()))
}

/// Splits an API token into (organization id, SHA-256 of the secret).
pub fn parse_api_token(token: &str) -> Option<(&str, [u8; 32])> {
    let (org, secret) = token.rsplit_once('.')?;
    if org.is_empty() || secret.is_empty() {
        return None;
    }
    Some((org, sha256(secret.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hash_with_the_pepper() {
        let (bytes, text) = new_token();
        assert_eq!(text.len(), 43);
        assert_eq!(decode_token(&text), Some(bytes));
        assert_eq!(decode_token("short"), None);
        let a = Pepper::ephemeral();
        let b = Pepper::ephemeral();
        assert_ne!(a.token_hash(&bytes), b.token_hash(&bytes));
    }

    #[test]
    fn seal_opens_only_under_the_same_pepper_and_untampered() {
        let p = Pepper::ephemeral();
        let (token, _) = new_token();
        let sealed = p.seal(&token);
        assert_ne!(p.seal(&token), sealed, "fresh nonce each time");
        assert_eq!(p.open(&sealed), Some(token));
        assert_eq!(Pepper::ephemeral().open(&sealed), None);
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert_eq!(p.open(&bad), None);
    }

    #[test]
    fn csrf_is_bound_to_cookie_and_action() {
        let p = Pepper::ephemeral();
        let t = p.csrf_token("c1", "/i/x/register");
        assert!(p.csrf_ok("c1", "/i/x/register", &t));
        assert!(!p.csrf_ok("c2", "/i/x/register", &t));
        assert!(!p.csrf_ok("c1", "/i/x/decline", &t));
        assert!(!p.csrf_ok("c1", "/i/x/register", ""));
    }

    #[test]
    fn api_tokens_parse() {
        let (token, hash) = new_api_token("org_1");
        let (org, h) = parse_api_token(&token).unwrap();
        assert_eq!(org, "org_1");
        assert!(constant_time_eq(&h, &hash));
        assert!(parse_api_token("nodot").is_none());
    }
}
