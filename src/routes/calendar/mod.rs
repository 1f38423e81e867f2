//! The practitioner's private iCalendar feed (RFC 5545) and its token.
pub mod feed;
pub mod token;
