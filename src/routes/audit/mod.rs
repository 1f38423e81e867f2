//! `/audit` (admin): the log and its chain check.
pub mod list;
pub mod verify;
