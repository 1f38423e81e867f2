//! `POST /procedures`: starts a procedure draft.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::api::notes::{CreateProcedure, Procedure};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Records a procedure (draft). Refused (409) unless the patient held a valid consent
/// for the service and was found eligible, as of `performed_at`.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "clinical", request_body = CreateProcedure,
    responses((status = 201, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateProcedure>,
) -> ApiResult<HttpResponse> {
    let note = notes::create_procedure(&state, &caller, body.into_inner()).await?;
    let location = format!("/api/v1/procedures/{}", note.id);
    let mut response = respond(StatusCode::CREATED, note);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
