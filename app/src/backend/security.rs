//! Secrets: random tokens, their hashes, password hashing (argon2id).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random URL-safe token with 256 bits of entropy.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, hex: what the database keeps instead of the token itself.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Time-limited TURN credentials in coturn's "REST API" scheme (`use-auth-secret`): the user
/// name is `<expiry, Unix seconds>:<who>`, the password base64(HMAC-SHA1(secret, user name)).
/// The TURN server checks both without asking us; they stop working at `expires`.
pub fn turn_credentials(secret: &str, who: &str, expires: i64) -> (String, String) {
    use hmac::{Hmac, Mac};
    let username = format!("{expires}:{who}");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, credential)
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a wrong e-mail costs the
/// same time as a wrong password (no account enumeration by timing).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password"))
}

/// Constant-time comparison of two strings.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The path (and query) of a URL, only if a browser would read it as a path on this site: it
/// starts with a single `/` (not `//` or `/\`, which browsers read as another host) and has no
/// control character or space (browsers drop tabs and newlines, so `/<tab>/evil.example` would
/// become `//evil.example`).
pub fn same_site_path(url: &str) -> Option<&str> {
    let after_scheme = &url[url.find("://")? + 3..];
    let path = &after_scheme[after_scheme.find('/')?..];
    let host_like = path.starts_with("//") || path.starts_with("/\\");
    let unsafe_char = path.chars().any(|c| c.is_control() || c.is_whitespace());
    (!host_like && !unsafe_char).then_some(path)
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[cfg(test)]
mod tests {
    #[test]
    fn turn_credentials_follow_coturns_rest_scheme() {
        // Checked against: printf '1700000000:u42' | openssl dgst -sha1 -hmac secret -binary | base64
        let (user, password) = super::turn_credentials("secret", "u42", 1_700_000_000);
        assert_eq!(user, "1700000000:u42");
        assert_eq!(password, "7vyaYSVfDY7pRaF0qukACyPM66c=");
    }

    use super::*;

    #[test]
    fn passwords_verify() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, "x"));
    }

    #[test]
    fn only_same_site_paths_are_followed() {
        let site = "http://127.0.0.1:3000";
        assert_eq!(
            same_site_path(&format!("{site}/reunions?periode=passees")),
            Some("/reunions?periode=passees")
        );
        assert_eq!(same_site_path(&format!("{site}//evil.example")), None);
        assert_eq!(same_site_path(&format!("{site}/\\evil.example")), None);
        assert_eq!(same_site_path(&format!("{site}/\t/evil.example")), None);
        assert_eq!(same_site_path(site), None);
        assert_eq!(same_site_path("/agenda"), None);
    }
}
