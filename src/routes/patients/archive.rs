//! `DELETE /patients/{id}`.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::patients;
use crate::state::AppState;

/// Archives a patient: hidden from search, never erased; their future open appointments are cancelled.
#[utoipa::path(delete, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn archive_patient(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    patients::archive(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
