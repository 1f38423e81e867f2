//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the handlers.
use actix_web::HttpResponse;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::auth::policy::{self, Access};
use crate::domain::role::Role;
use crate::routes;

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE_NAME,
            ))),
        );
    }
}

/// The problem answers every route can give, added in one place from what the layers in
/// front of the handlers do (the guard and its policy table, the body and query extractors,
/// the database pool), and every error answer documented as `application/problem+json`.
struct ProblemAnswers;

/// The methods the policy table serves on an actix path pattern, for `Allow`.
pub fn allowed_methods(pattern: &str) -> Vec<&'static str> {
    policy::RULES
        .iter()
        .filter(|r| r.pattern == pattern)
        .map(|r| r.method)
        .collect()
}

fn problem_response(description: &str, headers: &[(&str, &str)]) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    for (name, description) in headers {
        response = response.header(
            *name,
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(*description))
                .build(),
        );
    }
    response.into()
}

/// The generic description and headers of a problem answer with this status.
fn generic(status: &str) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match status {
        "400" => (
            "Malformed request: a query string, cursor or JSON body that cannot be read",
            &[],
        ),
        "401" => (
            "Missing or invalid credentials (or an expired session)",
            &[("WWW-Authenticate", "Always `Bearer`.")],
        ),
        "403" => (
            "Your role may not do this (or a cross-site cookie request)",
            &[],
        ),
        "404" => (
            "No such resource (patients get 404 for routes outside their own record)",
            &[],
        ),
        "409" => ("Conflict with the current state", &[]),
        "412" => (
            "`If-Match` names a version that is not the current one",
            &[],
        ),
        "413" => ("The body is larger than allowed", &[]),
        "415" => ("The body is not of a media type this route takes", &[]),
        "422" => ("A field is invalid (the `errors` list names each)", &[]),
        "429" => (
            "Too many attempts",
            &[("Retry-After", "Seconds to wait before trying again.")],
        ),
        "503" => (
            "The database is briefly unavailable; try again",
            &[("Retry-After", "Seconds to wait before trying again.")],
        ),
        _ => ("Error", &[]),
    }
}

fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    let PathItem {
        get,
        put,
        post,
        delete,
        options,
        head,
        patch,
        trace,
        ..
    } = item;
    [
        ("GET", get),
        ("PUT", put),
        ("POST", post),
        ("DELETE", delete),
        ("OPTIONS", options),
        ("HEAD", head),
        ("PATCH", patch),
        ("TRACE", trace),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
    .collect()
}

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                let access = match policy::lookup(method, path) {
                    policy::Lookup::Found(access) => access,
                    _ => Access::Public,
                };
                let mut statuses: Vec<&str> = Vec::new();
                let has_body = op.request_body.is_some();
                let params = op.parameters.as_deref().unwrap_or_default();
                let has_query = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let has_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                if has_query || has_body {
                    statuses.push("400");
                }
                if has_path {
                    // A path id that is not one of ours.
                    statuses.push("404");
                }
                if has_body {
                    statuses.extend(["413", "415", "422"]);
                }
                if access != Access::Public {
                    statuses.push("401");
                    let unsafe_method = !matches!(method, "GET" | "HEAD" | "OPTIONS");
                    let staff_refused = [Role::Admin, Role::FrontDesk, Role::Practitioner]
                        .into_iter()
                        .any(|r| !access.allows(r));
                    if unsafe_method || staff_refused {
                        // Unsafe methods: a cookie request from another origin.
                        statuses.push("403");
                    }
                    if !access.allows(Role::Patient) {
                        statuses.push("404");
                    }
                }
                if path != "/api/v1/openapi.json" {
                    statuses.push("503");
                }
                for status in statuses {
                    if !op.responses.responses.contains_key(status) {
                        let (description, headers) = generic(status);
                        op.responses
                            .responses
                            .insert(status.to_owned(), problem_response(description, headers));
                    }
                }
                // Every error answer is a problem document, whatever the handler wrote.
                for (status, response) in op.responses.responses.iter_mut() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if let (true, RefOr::T(response)) = (is_error, response) {
                        response.content.clear();
                        response.content.insert(
                            PROBLEM_JSON.to_owned(),
                            Content::new(Some(Ref::from_schema_name("Problem"))),
                        );
                        for (name, description) in generic(status).1 {
                            response
                                .headers
                                .entry((*name).to_owned())
                                .or_insert_with(|| {
                                    HeaderBuilder::new()
                                        .schema(ObjectBuilder::new().schema_type(Type::String))
                                        .description(Some(*description))
                                        .build()
                                });
                        }
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "DermaChart API", description = "Appointment book and treatment record of an aesthetic-medicine clinic."),
    modifiers(&Security, &ProblemAnswers),
    security(("bearer" = []), ("cookie" = [])),
    paths(
        routes::auth::login::login,
        routes::auth::logout::logout,
        routes::auth::me::me,
        routes::auth::password_reset::request_password_reset,
        routes::auth::set_password::set_password,
        routes::auth::password::change_password,
        routes::auth::enroll_totp::enroll_totp,
        routes::auth::confirm_totp::confirm_totp,
        routes::users::list::list_users,
        routes::users::create::create_user,
        routes::users::get::get_user,
        routes::users::update::update_user,
        routes::users::remove_totp::remove_totp,
        routes::users::unlock::unlock_user,
        routes::patients::search::search_patients,
        routes::patients::create::create_patient,
        routes::patients::import::import_patients,
        routes::patients::get::get_patient,
        routes::patients::update::update_patient,
        routes::patients::archive::archive_patient,
        routes::patients::portal_account::create_portal_account,
        routes::audit::list::list_audit,
        routes::audit::verify::verify_audit,
        routes::clinic::locations::list_locations,
        routes::clinic::locations::create_location,
        routes::clinic::rooms::list_rooms,
        routes::clinic::rooms::create_room,
        routes::clinic::practitioners::list_practitioners,
        routes::clinic::practitioners::create_practitioner,
        routes::clinic::practitioners::get_practitioner,
        routes::clinic::working_hours::get_working_hours,
        routes::clinic::working_hours::put_working_hours,
        routes::clinic::time_off::list_time_off,
        routes::clinic::time_off::create_time_off,
        routes::clinic::services::list_services,
        routes::clinic::services::create_service,
        routes::clinic::services::get_service,
        routes::clinic::services::update_service,
        routes::availability::availability,
        routes::consents::templates::list_templates,
        routes::consents::templates::create_template,
        routes::consents::templates::get_template,
        routes::consents::templates::create_version,
        routes::consents::patient::request_consent,
        routes::consents::patient::list_consents,
        routes::consents::patient::get_consent,
        routes::consents::sign::sign_consent,
        routes::consents::transitions::witness_consent,
        routes::consents::transitions::revoke_consent,
        routes::consultations::create_consultation,
        routes::consultations::get_consultation,
        routes::consultations::update_consultation,
        routes::consultations::sign_consultation,
        routes::consultations::delete_consultation,
        routes::consultations::amend_consultation,
        routes::procedures::procedures_by_lot,
        routes::procedures::create_procedure,
        routes::procedures::get_procedure,
        routes::procedures::update_procedure,
        routes::procedures::sign_procedure,
        routes::procedures::delete_procedure,
        routes::procedures::amend_procedure,
        routes::patients::record::patient_record,
        routes::adverse::create_adverse_event,
        routes::adverse::list_adverse_events,
        routes::adverse::reports_due,
        routes::adverse::update_adverse_event,
        routes::adverse::mark_reported,
        routes::measurements::create_measurement,
        routes::measurements::list_measurements,
        routes::measurements::outcomes,
        routes::photos::upload::upload_photo,
        routes::photos::list::list_photos,
        routes::photos::compare::compare_photos,
        routes::photos::download::get_photo,
        routes::photos::me::my_photos,
        routes::photos::me::my_photo,
        routes::me::my_appointments,
        routes::me::book_my_appointment,
        routes::me::my_appointment,
        routes::me::cancel_my_appointment,
        routes::me::my_consents,
        routes::me::my_consent,
        routes::me::sign_my_consent,
        routes::me::revoke_my_consent,
        routes::me::my_measurements,
        routes::me::my_access_log,
        routes::me_record::my_record,
        routes::export::my_export,
        routes::export::patient_export,
        routes::samples::create_sample,
        routes::samples::get_sample,
        routes::samples::record_sample_event,
        routes::calendar::token::issue_calendar_token,
        routes::calendar::token::revoke_calendar_token,
        routes::calendar::feed::calendar_feed,
        routes::appointments::list::list_appointments,
        routes::appointments::create::create_appointment,
        routes::appointments::get::get_appointment,
        routes::appointments::update::update_appointment,
        routes::appointments::transition::confirm,
        routes::appointments::transition::check_in,
        routes::appointments::transition::start,
        routes::appointments::transition::complete,
        routes::appointments::transition::cancel,
        routes::appointments::transition::no_show,
        routes::appointments::follow_ups::book_follow_ups,
        routes::entered_in_error::consultation_entered_in_error,
        routes::entered_in_error::procedure_entered_in_error,
        routes::entered_in_error::measurement_entered_in_error,
        routes::entered_in_error::adverse_event_entered_in_error,
        routes::entered_in_error::photo_entered_in_error,
        openapi_doc,
    ),
    components(schemas(crate::error::Problem, crate::domain::FieldError, api::users::User, api::patients::Patient)),
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
#[allow(dead_code)]
fn openapi_doc() {}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
