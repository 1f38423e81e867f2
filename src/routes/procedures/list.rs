//! `GET /procedures?product_lot=`: the recall by lot.
use actix_web::web;

use crate::api::notes::{ProcedureList, ProcedureQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

/// Every procedure that used a product lot (for a recall), with the patients' ids.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "clinical", params(ProcedureQuery),
    responses((status = 200, body = ProcedureList), (status = 403, body = Problem)))]
pub async fn procedures_by_lot(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProcedureQuery>,
) -> ApiResult<web::Json<ProcedureList>> {
    let items = notes::procedures_by_lot(&state, &caller, &query.into_inner().product_lot).await?;
    Ok(web::Json(ProcedureList { items }))
}
