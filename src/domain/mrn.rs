//! Medical record numbers: short, human-readable, unambiguous, and random so they reveal no count.
use rand::Rng;

/// Crockford's base32 alphabet: no I, L, O or U, so an MRN read aloud is not misheard.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new MRN such as `DC-7K3M-9Q2P` (40 random bits; the database's unique index
/// catches the rare collision and the caller draws again).
pub fn new_mrn() -> String {
    let mut rng = rand::thread_rng();
    let mut pick = || ALPHABET[rng.gen_range(0..ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("DC-{a}-{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrn_has_the_documented_shape() {
        let mrn = new_mrn();
        assert_eq!(mrn.len(), 12);
        assert!(mrn.starts_with("DC-"));
        assert!(mrn[3..]
            .chars()
            .all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
    }
}
