//! Consent templates (admin) and patients' consents: request, sign, witness, revoke.
pub mod patient;
pub mod sign;
pub mod templates;
pub mod transitions;
