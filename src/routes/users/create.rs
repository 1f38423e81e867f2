//! `POST /users`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::api::users::{CreateUser, User};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients;
use crate::db::models::users::{self, normalise_email, NewUser};
use crate::db::types::UserId;
use crate::domain::password::check_new_password;
use crate::domain::role::Role;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
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

/// Creates a user (the password policy applies).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    validate_new_user(&body)?;
    let hash = state.hasher.hash(body.password.clone()).await?;
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
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
                Ok::<_, ApiError>(users::insert(
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
                )?)
            }?;
            audit.push(who.event(
                AuditAction::Create,
                "user",
                Some(row.id.to_string()),
                row.patient_id,
            ));
            Ok(row)
        })
        .await?;
    let location = format!("/api/v1/users/{}", row.id);
    let version = row.version;
    let mut response = super::user_response(StatusCode::CREATED, User::from(row), version);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
