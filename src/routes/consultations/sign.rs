//! `POST /consultations/{id}/sign`: signs a draft for ever.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::notes::Consultation;
use crate::auth::Caller;
use crate::db::types::ConsultationId;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Signs a draft: locked for ever, carrying the SHA-256 of its content.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/sign", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn sign_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    let note = notes::sign_note(&state, &caller, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, note))
}
