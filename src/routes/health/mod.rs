//! `/healthz`, `/readyz` and `/metrics`.
pub mod healthz;
pub mod metrics;
pub mod readyz;

// `startup.rs` mounts these outside `/api/v1` and names them by these paths.
pub use healthz::healthz;
pub use metrics::metrics;
pub use readyz::readyz;

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
