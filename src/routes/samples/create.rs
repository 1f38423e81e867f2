//! `POST /samples`.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::api::samples::{CreateSample, Sample};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::samples;
use crate::state::AppState;

/// Registers a harvested sample under a random label code that carries no
/// name, MRN or other identifier.
#[utoipa::path(post, path = "/api/v1/samples", tag = "clinical", request_body = CreateSample,
    responses((status = 201, body = Sample), (status = 422, body = Problem)))]
pub async fn create_sample(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateSample>,
) -> ApiResult<HttpResponse> {
    let sample = samples::register(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/samples/{}", sample.id)))
        .json(sample))
}
