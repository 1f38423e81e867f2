//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew).
use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "DermaChart";
const STEP_SECS: u64 = 30;

fn totp(secret_base32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .ok()
}

/// A new secret and the `otpauth://` URI an authenticator app scans.
pub fn new_secret(account: &str) -> anyhow::Result<(String, String)> {
    let secret = Secret::generate_secret().to_encoded().to_string();
    let uri = totp(&secret, account)
        .ok_or_else(|| anyhow::anyhow!("cannot build TOTP"))?
        .get_url();
    Ok((secret, uri))
}

/// The time step a code is valid for (now, or one step either side), if any.
pub fn matching_step(secret_base32: &str, account: &str, code: &str, now_secs: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_base32, account)?;
    let current = now_secs / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.generate(step * STEP_SECS) == code)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code for a moment (tests and the demo use it).
pub fn code_at(secret_base32: &str, account: &str, secs: u64) -> Option<String> {
    totp(secret_base32, account).map(|t| t.generate(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_matches_its_step_and_a_wrong_one_does_not() {
        let (secret, uri) = new_secret("a@example.org").unwrap();
        assert!(uri.starts_with("otpauth://totp/DermaChart:"));
        let now = 1_800_000_000;
        let code = code_at(&secret, "a@example.org", now).unwrap();
        assert_eq!(
            matching_step(&secret, "a@example.org", &code, now),
            Some(i64::try_from(now / 30).unwrap())
        );
        assert_eq!(matching_step(&secret, "a@example.org", "12345", now), None);
        assert_eq!(
            matching_step(&secret, "a@example.org", &code, now + 300),
            None
        );
    }
}
