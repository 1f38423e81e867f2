//! Skin measurements per patient, and the outcome table across patients.
pub mod create;
pub mod list;
pub mod outcomes;
