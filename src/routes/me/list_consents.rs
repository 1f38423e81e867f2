//! `GET /me/consents`.
use actix_web::web;

use crate::api::consents::ConsentList;
use crate::auth::Me;
use crate::db::models::consents;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The patient's consents.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "me", responses((status = 200, body = ConsentList)))]
pub async fn my_consents(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<ConsentList>> {
    let items = who
        .read(&state, "consent", None, move |conn, me| {
            let mut items = Vec::new();
            for c in consents::of_patient(conn, me)? {
                let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
                items.push(crate::routes::consents::view(c, &t));
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(ConsentList { items }))
}
