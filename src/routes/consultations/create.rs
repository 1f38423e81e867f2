//! `POST /consultations`: starts a consultation draft.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::api::notes::{Consultation, CreateConsultation};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Starts a consultation draft. Eligibility is computed: a contraindication without
/// an override reason makes it `not_eligible` whatever was sent.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "clinical", request_body = CreateConsultation,
    responses((status = 201, body = Consultation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateConsultation>,
) -> ApiResult<HttpResponse> {
    let note = notes::create_consultation(&state, &caller, body.into_inner()).await?;
    let location = format!("/api/v1/consultations/{}", note.id);
    let mut response = respond(StatusCode::CREATED, note);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
