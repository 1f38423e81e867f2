//! Single-use set-password and reset tokens, stored as SHA-256 only.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::password_tokens;
use crate::db::types::{PasswordTokenId, UserId};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_tokens)]
pub struct PasswordTokenRow {
    pub id: PasswordTokenId,
    pub user_id: UserId,
    pub token_hash: String,
    pub purpose: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &PasswordTokenRow) -> QueryResult<usize> {
    diesel::insert_into(password_tokens::table)
        .values(row)
        .execute(conn)
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<PasswordTokenRow>> {
    password_tokens::table
        .filter(password_tokens::token_hash.eq(token_hash))
        .select(PasswordTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Uses a token: true only for the one caller that found it unused and unexpired.
pub fn consume(
    conn: &mut DbConnection,
    id: PasswordTokenId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        password_tokens::table
            .find(id)
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(now)),
    )
    .set(password_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// A fresh token makes the user's older unused ones void (only the newest link works).
pub fn void_unused(
    conn: &mut DbConnection,
    user: UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::used_at.eq(now))
    .execute(conn)
}

/// How many tokens were issued to a user since `since` (to bound reset emails).
pub fn issued_since(
    conn: &mut DbConnection,
    user: UserId,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    password_tokens::table
        .filter(password_tokens::user_id.eq(user))
        .filter(password_tokens::created_at.ge(since))
        .count()
        .get_result(conn)
}
