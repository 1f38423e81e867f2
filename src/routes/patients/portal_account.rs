//! `POST /patients/{id}/portal-account`: the patient's login, with a set-password
//! link emailed to the address on file (never returned).
use actix_web::{web, HttpResponse};

use crate::accounts::{self, LinkPurpose};
use crate::api::auth::PortalAccount;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::{patients, users};
use crate::db::types::{PatientId, UserId};
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Creates the patient's portal login for the email on file and emails it a
/// single-use set-password link (24 h). 422 without an email; 409 if a login exists.
#[utoipa::path(post, path = "/api/v1/patients/{id}/portal-account", tag = "patients", params(("id" = String, Path)),
    responses((status = 201, body = PortalAccount), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_portal_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let patient = id.into_inner();
    let public_url = state.settings.public_url.clone();
    let me = caller.user_id;
    let (user_id, expires_at) = state
        .db(move |conn| {
            conn.write_transaction(|conn| {
                let row = patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
                if row.archived {
                    return Err(ApiError::Conflict("The patient is archived.".into()));
                }
                let email = row
                    .email
                    .as_deref()
                    .map(users::normalise_email)
                    .filter(|e| !e.is_empty())
                    .ok_or_else(|| {
                        ApiError::validation("email", "the patient has no email on file")
                    })?;
                // Four eyes: whoever set the email on file (registered or imported the
                // patient with it, or changed it) in the last 24 hours may not also send the
                // login there; else one staff member could open any patient's portal. Read
                // in this transaction, from the row the email change wrote.
                let since = crate::db::now() - chrono::Duration::hours(24);
                if patients::email_set(conn, patient)?
                    .is_some_and(|(by, at)| by == me && at >= since)
                {
                    return Err(ApiError::Conflict(
                        "You set this patient's email in the last 24 hours; another staff member must create the portal login.".into(),
                    ));
                }
                if users::find_by_patient(conn, patient)?.is_some() {
                    return Err(ApiError::Conflict(
                        "The patient already has a portal login.".into(),
                    ));
                }
                if users::find_by_email(conn, &email)?.is_some() {
                    return Err(ApiError::Conflict(
                        "Another login already uses the patient's email.".into(),
                    ));
                }
                let now = crate::db::now();
                let user_id = UserId::new();
                users::insert(
                    conn,
                    &users::NewUser {
                        id: user_id,
                        email: &email,
                        display_name: &row.given_name,
                        role: Role::Patient.as_str(),
                        password_hash: accounts::UNSET_PASSWORD_HASH,
                        active: true,
                        patient_id: Some(patient),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                let expires_at = accounts::issue_link(
                    conn,
                    user_id,
                    &email,
                    LinkPurpose::SetPassword,
                    &public_url,
                    now,
                )?;
                Ok((user_id, expires_at))
            })
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Create,
            "portal_account",
            Some(user_id.to_string()),
            Some(patient),
        ))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/users/{user_id}")))
        .json(PortalAccount {
            user_id,
            expires_at: crate::api::instant(expires_at),
        }))
}
