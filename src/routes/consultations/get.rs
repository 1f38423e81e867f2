//! `GET /consultations/{id}`: one consultation with its amendments.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::notes::Consultation;
use crate::auth::Caller;
use crate::db::types::ConsultationId;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// A consultation with every amendment, in order.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    let note = notes::read_note(&state, &caller, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, note))
}
