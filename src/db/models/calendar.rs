//! Calendar-feed tokens: one per practitioner, stored as a hash; a new one replaces the old.
use diesel::prelude::*;

use crate::db::schema::calendar_tokens;
use crate::db::types::PractitionerId;
use crate::db::DbConnection;

pub fn replace(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    token_hash: &str,
) -> QueryResult<()> {
    diesel::delete(calendar_tokens::table.find(practitioner)).execute(conn)?;
    diesel::insert_into(calendar_tokens::table)
        .values((
            calendar_tokens::practitioner_id.eq(practitioner),
            calendar_tokens::token_hash.eq(token_hash),
            calendar_tokens::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn revoke(conn: &mut DbConnection, practitioner: PractitionerId) -> QueryResult<usize> {
    diesel::delete(calendar_tokens::table.find(practitioner)).execute(conn)
}

/// Whether `token_hash` is the practitioner's live token.
pub fn matches(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    token_hash: &str,
) -> QueryResult<bool> {
    let stored: Option<String> = calendar_tokens::table
        .find(practitioner)
        .select(calendar_tokens::token_hash)
        .first(conn)
        .optional()?;
    Ok(stored.is_some_and(|s| s == token_hash))
}
