//! Who is calling and what they may do: passwords, sessions, throttling, TOTP, the route policy.
pub mod caller;
pub mod guard;
pub mod password;
pub mod policy;
pub mod session;
pub mod throttle;
pub mod totp;

pub use caller::{Caller, Me, RequestContext};
