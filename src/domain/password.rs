//! The password policy: long enough, not a common password. No composition rules (NIST SP 800-63B).
use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// The 10,000 most common passwords, most common first (from Django's list, itself from Royce Williams' 2017 analysis).
static COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Why a password is refused, in words a user can act on.
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err("must be at least 12 characters");
    }
    if length > MAX_LENGTH {
        return Err("must be at most 256 characters");
    }
    if common_passwords().contains(password.to_lowercase().as_str()) {
        return Err("is one of the most common passwords; choose another");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("elevenchars").is_err());
        assert!(check_new_password("twelve chars").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(common_passwords().len(), 10_000);
        assert!(check_new_password("password1234").is_err());
        assert!(check_new_password("PASSWORD1234").is_err());
        assert!(check_new_password("correct horse battery staple").is_ok());
    }
}
