//! Users: staff and patient logins.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::types::{PatientId, UserId};
use crate::db::DbConnection;
use crate::domain::role::Role;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub patient_id: Option<PatientId>,
    pub totp_secret: Option<String>,
    pub totp_confirmed: bool,
    pub totp_last_step: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Who a session belongs to, as every request needs it: never the password hash or
/// the TOTP secret, which the guard has no use for (they are not read per request).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserIdentity {
    pub id: UserId,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub patient_id: Option<PatientId>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub active: bool,
    pub patient_id: Option<PatientId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The changes an admin may make to a user (None = unchanged).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub email: Option<String>,
}

/// Emails are compared case-insensitively and without surrounding blanks.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert(conn: &mut DbConnection, user: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)?;
    find(conn, user.id)
}

/// Through the backend's own connection (`native!`), so the statement is prepared once
/// per connection: `GET /auth/me`, which every page of the web UI asks first, spent
/// 67,000 of its ~165,000 instructions building this query's SQL anew.
pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<UserRow> {
    crate::db::native!(conn, |c| users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c))
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The portal login of a patient, if they have one.
pub fn find_by_patient(
    conn: &mut DbConnection,
    patient: PatientId,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::patient_id.eq(patient))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn any_exist(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
}

/// A page of users, newest first, strictly after the cursor.
pub fn list(
    conn: &mut DbConnection,
    after: Option<(NaiveDateTime, UserId)>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            users::created_at
                .lt(at)
                .or(users::created_at.eq(at).and(users::id.lt(id))),
        );
    }
    query.load(conn)
}

/// Applies changes and bumps the version; `expected_version` guards against lost updates.
pub fn update(
    conn: &mut DbConnection,
    id: UserId,
    changes: &UserChanges,
    expected_version: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    let mut query = diesel::update(users::table.filter(users::id.eq(id))).into_boxed();
    if let Some(v) = expected_version {
        query = query.filter(users::version.eq(v));
    }
    // AsChangeset with every field None would be an empty SET; always touch updated_at.
    let updated = query
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    find(conn, id).map(Some)
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    id: UserId,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_totp(
    conn: &mut DbConnection,
    id: UserId,
    secret: Option<&str>,
    confirmed: bool,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::totp_secret.eq(secret),
            users::totp_confirmed.eq(confirmed),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)
}

/// Records the TOTP time step just used, refusing a replay of the same or an older step.
pub fn claim_totp_step(conn: &mut DbConnection, id: UserId, step: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table.find(id).filter(
            users::totp_last_step
                .is_null()
                .or(users::totp_last_step.lt(step)),
        ),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(updated == 1)
}
