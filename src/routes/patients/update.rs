//! `PATCH /patients/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use crate::api::patients::{fields_of, Patient, UpdatePatient};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients::{self, PatientValues};
use crate::db::types::PatientId;
use crate::domain::patient::fold;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::state::AppState;

/// Changes a patient's fields (JSON Merge Patch); `If-Match` guards against lost updates.
#[utoipa::path(patch, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    request_body = UpdatePatient,
    responses((status = 200, body = Patient), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_patient(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<PatientId>,
    body: Json<UpdatePatient>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    super::refuse_clinical_from_front_desk(&caller, patch.has_clinical_fields())?;
    let by = caller.user_id;
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            {
                let current = patients::find(conn, id)?.ok_or(ApiError::NotFound)?;
                if expected.is_some_and(|v| v != current.version) {
                    return Err(ApiError::PreconditionFailed);
                }
                let merged = patch
                    .apply(fields_of(&current))
                    .map_err(ApiError::Validation)?;
                merged
                    .validate(Utc::now().date_naive())
                    .map_err(ApiError::Validation)?;
                let email_changed =
                    current.email.as_deref().map(fold) != merged.email.as_deref().map(fold);
                let values = PatientValues::from(&merged);
                let now = crate::db::now();
                let row = patients::update(conn, id, &values, current.version, now)?
                    .ok_or(ApiError::PreconditionFailed)?;
                if email_changed {
                    patients::note_email_set(conn, id, by, now)?;
                }
                audit.push(who.patient_event(AuditAction::Update, row.id));
                if email_changed {
                    // Where portal links go: the portal-account route reads this (four eyes).
                    audit.push(who.event(
                        AuditAction::Update,
                        super::EMAIL_CHANGE,
                        Some(row.id.to_string()),
                        Some(row.id),
                    ));
                }
                Ok(row)
            }
        })
        .await?;
    Ok(super::patient_response(
        StatusCode::OK,
        Patient::from_row(row, super::sees_clinical(&caller)),
    ))
}
