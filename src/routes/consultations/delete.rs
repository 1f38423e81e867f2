//! `DELETE /consultations/{id}`: deletes a draft.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::ConsultationId;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

/// Deletes a draft (its author only); a signed note is never deleted (409).
#[utoipa::path(delete, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    notes::delete_draft(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
