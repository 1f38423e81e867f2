//! `/samples`: the patient's own cells, from harvest to re-injection (chain of custody).
pub mod create;
pub mod get;
pub mod record_event;
