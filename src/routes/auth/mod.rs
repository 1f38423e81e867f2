//! `/auth`: login, logout, me, password change, TOTP.
pub mod confirm_totp;
pub mod enroll_totp;
pub mod login;
pub mod logout;
pub mod me;
pub mod password;
pub mod password_reset;
pub mod set_password;
