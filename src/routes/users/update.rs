//! `PATCH /users/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::users::{UpdateUser, User};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::sessions;
use crate::db::models::users::{self, normalise_email, UserChanges};
use crate::db::types::UserId;
use crate::domain::role::Role;
use crate::domain::FieldError;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::state::AppState;

/// Changes a user (JSON Merge Patch). Deactivating ends every session at once.
/// A patient login stays a patient login: its role cannot change.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    request_body = UpdateUser,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<UserId>,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let body = body.into_inner();
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
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let deactivating = changes.active == Some(false);
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
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
                Ok::<_, ApiError>(row)
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "user",
                Some(id.to_string()),
                row.patient_id,
            ));
            Ok(row)
        })
        .await?;
    let version = row.version;
    Ok(super::user_response(
        StatusCode::OK,
        User::from(row),
        version,
    ))
}
