//! `DELETE /patients/{id}`.
use actix_web::{web, HttpResponse};

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients;
use crate::db::types::PatientId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Archives a patient: hidden from search, never erased; their future open appointments are cancelled.
#[utoipa::path(delete, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn archive_patient(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .write(move |conn, audit| {
            patients::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = crate::db::now();
            patients::archive(conn, id, now)?;
            crate::scheduling::cancel_future_of_patient(conn, id, now)?;
            audit.push(caller.patient_event(AuditAction::Delete, id));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
