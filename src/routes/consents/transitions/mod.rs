//! `POST /consents/{id}/witness`, `POST /consents/{id}/revoke`.
pub mod revoke;
pub mod witness;
