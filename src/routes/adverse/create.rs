//! `POST /patients/{id}/adverse-events`.
use actix_web::{web, HttpResponse};

use crate::api::adverse::{AdverseEvent, CreateAdverseEvent};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::adverse;
use crate::state::AppState;

/// Records an adverse event for a patient.
#[utoipa::path(post, path = "/api/v1/patients/{id}/adverse-events", tag = "clinical", params(("id" = String, Path)),
    request_body = CreateAdverseEvent,
    responses((status = 201, body = AdverseEvent), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_adverse_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<CreateAdverseEvent>,
) -> ApiResult<HttpResponse> {
    let row = adverse::record(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(AdverseEvent::from(row)))
}
