//! `POST /practitioners`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreatePractitioner, Practitioner};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

/// Makes a practitioner-role user bookable.
#[utoipa::path(post, path = "/api/v1/practitioners", tag = "clinic", request_body = CreatePractitioner,
    responses((status = 201, body = Practitioner), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_practitioner(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePractitioner>,
) -> ApiResult<HttpResponse> {
    let row = clinic::create_practitioner(&state, &caller, body.into_inner()).await?;
    super::created(
        format!("/api/v1/practitioners/{}", row.id),
        Practitioner::from(row),
    )
}
