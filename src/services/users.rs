//! Logins, staff and patient (admin): list, read, create, change, unlock, and removing
//! a lost second factor. Every write is audited against the user (and its patient).
use crate::api::users::{CreateUser, UpdateUser};
use crate::audit::AuditAction;
use crate::auth::{throttle, Caller};
use crate::db::models::users::{self, normalise_email, NewUser, UserChanges, UserRow};
use crate::db::models::{patients, sessions};
use crate::db::types::UserId;
use crate::domain::password::check_new_password;
use crate::domain::role::Role;
use crate::domain::FieldError;
use crate::error::ApiError;
use crate::state::AppState;

/// Checks a new user's fields, listing every problem.
pub fn validate_new_user(body: &CreateUser) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let email = normalise_email(&body.email);
    if email.len() > 254 || email.split('@').count() != 2 || !email.contains('.') {
        errors.push(FieldError::new("email", "must be an email address"));
    }
    let name = body.display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new(
            "display_name",
            "must be 1 to 100 characters",
        ));
    }
    if let Err(message) = check_new_password(&body.password) {
        errors.push(FieldError::new("password", message));
    }
    match (body.role, body.patient_id) {
        (Role::Patient, None) => errors.push(FieldError::new(
            "patient_id",
            "is required for role patient",
        )),
        (r, Some(_)) if r != Role::Patient => {
            errors.push(FieldError::new("patient_id", "is only for role patient"))
        }
        _ => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A page of users, newest first, after the cursor's `(created_at, id)`; and whether
/// there are more.
pub async fn list(
    state: &AppState,
    after: Option<(chrono::NaiveDateTime, UserId)>,
    limit: i64,
) -> Result<(Vec<UserRow>, bool), ApiError> {
    let rows = state
        .db(move |conn| Ok(users::list(conn, after, limit + 1)?))
        .await?;
    Ok(crate::api::pagination::split_page(rows, limit))
}

/// One user (404 if unknown).
pub async fn get(state: &AppState, id: UserId) -> Result<UserRow, ApiError> {
    state.lookup(move |conn| Ok(users::find(conn, id)?)).await
}

/// Creates a user (the password policy applies; 409 when the email is taken).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: CreateUser,
) -> Result<UserRow, ApiError> {
    validate_new_user(&body)?;
    let hash = state.hasher.hash(body.password.clone()).await?;
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            if let Some(pid) = body.patient_id {
                if patients::find(conn, pid)?.is_none() {
                    return Err(ApiError::validation("patient_id", "no such patient"));
                }
            }
            let email = normalise_email(&body.email);
            if users::find_by_email(conn, &email)?.is_some() {
                return Err(ApiError::Conflict("A user with this email exists.".into()));
            }
            let now = crate::db::now();
            let row = users::insert(
                conn,
                &NewUser {
                    id: UserId::new(),
                    email: &email,
                    display_name: body.display_name.trim(),
                    role: body.role.as_str(),
                    password_hash: &hash,
                    active: true,
                    patient_id: body.patient_id,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            audit.push(who.event(
                AuditAction::Create,
                "user",
                Some(row.id.to_string()),
                row.patient_id,
            ));
            Ok(row)
        })
        .await
}

/// The changes a merge patch of a user asks for, checked field by field (every
/// problem listed), and the role it asks for.
fn user_changes(body: UpdateUser) -> Result<(UserChanges, Option<Role>), ApiError> {
    let mut errors = Vec::new();
    let mut changes = UserChanges::default();
    match body.display_name {
        Some(Some(name)) if !name.trim().is_empty() && name.chars().count() <= 100 => {
            changes.display_name = Some(name.trim().to_owned())
        }
        Some(_) => errors.push(FieldError::new(
            "display_name",
            "must be 1 to 100 characters",
        )),
        None => {}
    }
    match body.email {
        Some(Some(email)) if email.split('@').count() == 2 && email.len() <= 254 => {
            changes.email = Some(normalise_email(&email))
        }
        Some(_) => errors.push(FieldError::new("email", "must be an email address")),
        None => {}
    }
    match body.active {
        Some(Some(active)) => changes.active = Some(active),
        Some(None) => errors.push(FieldError::new("active", "cannot be null")),
        None => {}
    }
    let new_role = match body.role {
        Some(Some(role)) => Some(role),
        Some(None) => {
            errors.push(FieldError::new("role", "cannot be null"));
            None
        }
        None => None,
    };
    if errors.is_empty() {
        Ok((changes, new_role))
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Changes a user (JSON Merge Patch; `expected` from `If-Match`, 412 when another
/// change came first). Deactivating ends every session at once; a patient login stays
/// a patient login.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: UserId,
    expected: Option<i64>,
    body: UpdateUser,
) -> Result<UserRow, ApiError> {
    let (mut changes, new_role) = user_changes(body)?;
    let deactivating = changes.active == Some(false);
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let current = users::find(conn, id)?;
            if let Some(role) = new_role {
                let was_patient = current.role == Role::Patient;
                if was_patient != (role == Role::Patient) {
                    return Err(ApiError::validation(
                        "role",
                        "a patient login cannot become staff, nor staff a patient login",
                    ));
                }
                changes.role = Some(role.as_str().to_owned());
            }
            let now = crate::db::now();
            let row = users::update(conn, id, &changes, expected, now)?
                .ok_or(ApiError::PreconditionFailed)?;
            if deactivating {
                sessions::revoke_all_for_user(conn, id, None, now)?;
            }
            audit.push(who.event(
                AuditAction::Update,
                "user",
                Some(id.to_string()),
                row.patient_id,
            ));
            Ok(row)
        })
        .await
}

/// Removes a user's second factor (lost phone) and ends their sessions; 404 (and
/// nothing changes) when the user has no factor, enrolled or pending.
pub async fn remove_totp(state: &AppState, caller: &Caller, id: UserId) -> Result<(), ApiError> {
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let user = users::find(conn, id)?;
            if user.totp_secret.is_none() && !user.totp_confirmed {
                return Err(ApiError::NotFound);
            }
            users::set_totp(conn, id, None, false)?;
            sessions::revoke_all_for_user(conn, id, None, crate::db::now())?;
            audit.push(who.event(AuditAction::Delete, "user_totp", Some(id.to_string()), None));
            Ok(())
        })
        .await
}

/// Clears the failed-login counters that lock this user's account.
pub async fn unlock(state: &AppState, caller: &Caller, id: UserId) -> Result<(), ApiError> {
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let user = users::find(conn, id)?;
            throttle::clear_for_email(conn, &user.email)?;
            audit.push(who.event(
                AuditAction::Delete,
                "login_throttle",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await
}
