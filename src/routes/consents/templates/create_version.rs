//! `POST /consent-templates/{id}/versions`.
use actix_web::{web, HttpResponse};

use crate::api::consents::{ConsentTemplate, CreateTemplate};
use crate::auth::Caller;
use crate::db::types::ConsentTemplateId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

use super::created;

/// Publishes the next version of a family. Scope and service cannot change (422).
#[utoipa::path(post, path = "/api/v1/consent-templates/{id}/versions", tag = "consent", params(("id" = String, Path)),
    request_body = CreateTemplate,
    responses((status = 201, body = ConsentTemplate), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_version(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentTemplateId>,
    body: Json<CreateTemplate>,
) -> ApiResult<HttpResponse> {
    let new =
        consents::publish_version(&state, &caller, id.into_inner(), body.into_inner()).await?;
    created(new)
}
