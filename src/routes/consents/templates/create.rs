//! `POST /consent-templates`.
use actix_web::{web, HttpResponse};

use crate::api::consents::{ConsentTemplate, CreateTemplate};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

use super::created;

/// Publishes a new template family at version 1 (published templates never change).
#[utoipa::path(post, path = "/api/v1/consent-templates", tag = "consent", request_body = CreateTemplate,
    responses((status = 201, body = ConsentTemplate), (status = 422, body = Problem)))]
pub async fn create_template(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateTemplate>,
) -> ApiResult<HttpResponse> {
    let new = consents::publish(&state, &caller, body.into_inner()).await?;
    created(new)
}
