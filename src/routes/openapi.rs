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
                if has_query {
                    // A value of the right type the handler still refuses (a range, a limit).
                    statuses.push("422");
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

/// Rules the server enforces on every parameter or field of a kind, stated once here:
/// instants are years 1900–9999 (`api::plausible`), cursors are the opaque base64url text of
/// a previous page (`api::pagination`), `limit` is at least 1, `Idempotency-Key` is 1 to 200
/// visible characters (`idempotency::claim`).
struct Constraints;

/// An RFC 3339 instant whose year is 1900–9999.
const INSTANT_PATTERN: &str = "^(19|[2-9][0-9])[0-9]{2}-";

fn constrain_schemas(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            match map.get("format").and_then(|f| f.as_str()) {
                Some("date-time") => {
                    map.entry("pattern")
                        .or_insert_with(|| INSTANT_PATTERN.into());
                }
                // What the field's Rust type holds (a larger number is a 422).
                Some("int32") => {
                    map.entry("minimum").or_insert_with(|| i32::MIN.into());
                    map.entry("maximum").or_insert_with(|| i32::MAX.into());
                }
                Some("int64") => {
                    map.entry("minimum").or_insert_with(|| i64::MIN.into());
                    map.entry("maximum").or_insert_with(|| i64::MAX.into());
                }
                _ => {}
            }
            map.values_mut().for_each(constrain_schemas);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(constrain_schemas),
        _ => {}
    }
}

/// A struct with a `#[serde(flatten)]` field is `allOf [$ref Inner, {rest}]`; when the inner
/// struct refuses unknown fields (`additionalProperties: false`), that `allOf` would refuse
/// the outer fields too. Such schemas become one object with every property.
fn flatten_all_of(doc: &mut serde_json::Value) {
    use serde_json::{Map, Value};
    let Some(schemas) = doc.pointer("/components/schemas").cloned() else {
        return;
    };
    let Some(targets) = doc
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    else {
        return;
    };
    for schema in targets.values_mut() {
        let Some(branches) = schema.get("allOf").and_then(|a| a.as_array()).cloned() else {
            continue;
        };
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        for branch in &branches {
            let resolved = match branch.get("$ref").and_then(|r| r.as_str()) {
                Some(r) => r
                    .strip_prefix("#/components/schemas/")
                    .and_then(|name| schemas.get(name))
                    .cloned()
                    .unwrap_or(Value::Null),
                None => branch.clone(),
            };
            if let Some(props) = resolved.get("properties").and_then(|p| p.as_object()) {
                properties.extend(props.clone());
            }
            if let Some(req) = resolved.get("required").and_then(|r| r.as_array()) {
                required.extend(req.iter().cloned());
            }
        }
        let mut merged = Map::new();
        merged.insert("type".into(), "object".into());
        if let Some(description) = schema.get("description") {
            merged.insert("description".into(), description.clone());
        }
        merged.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        *schema = Value::Object(merged);
    }
}

/// `oneOf [null, T]` → `T`; `type: [T, "null"]` → `type: T`.
fn drop_null(schema: &mut serde_json::Value) {
    let is_null = |v: &serde_json::Value| v.get("type").and_then(|t| t.as_str()) == Some("null");
    if let Some(branches) = schema.get("oneOf").and_then(|o| o.as_array()) {
        let rest: Vec<serde_json::Value> =
            branches.iter().filter(|b| !is_null(b)).cloned().collect();
        if rest.len() == 1 {
            *schema = rest[0].clone();
        }
    }
    if let Some(types) = schema.get("type").and_then(|t| t.as_array()) {
        let rest: Vec<serde_json::Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        if rest.len() == 1 {
            schema["type"] = rest[0].clone();
        }
    }
}

fn constrain_parameter(path: &str, parameter: &mut serde_json::Value) {
    use serde_json::json;
    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
    let place = parameter["in"].as_str().unwrap_or_default().to_owned();
    let schema = match (place.as_str(), name.as_str()) {
        ("query", "cursor") => {
            // Formats named for the two encodings, so a generator can make real ones
            // (scripts/schemathesis_hooks.py); an empty cursor is no cursor.
            let format = if path == "/api/v1/audit" {
                "seq-cursor"
            } else {
                "time-cursor"
            };
            json!({"type": "string", "format": format, "pattern": "^[A-Za-z0-9_-]*$"})
        }
        // No upper bound: above 200 is clamped, whatever its size.
        ("query", "limit") => json!({"type": "integer", "minimum": 1}),
        ("query", "product_lot") => {
            json!({"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK})
        }
        ("header", "Idempotency-Key") => {
            json!({"type": "string", "pattern": "^[!-~]([ -~]{0,198}[!-~])?$"})
        }
        ("query", _) => {
            // A query string has no null: an optional parameter is simply left out.
            if let Some(schema) = parameter.get_mut("schema") {
                drop_null(schema);
            }
            return;
        }
        _ => return,
    };
    parameter["schema"] = schema;
    if name == "limit" {
        parameter["description"] = "Page size: default 50; above 200 counts as 200.".into();
    }
}

/// A string with at least one character that is not whitespace (the server trims).
const NOT_BLANK: &str = r"\S";
/// Text without control characters other than tab and newline (patient fields).
const TEXT: &str = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*$";
/// Such text, not blank.
const TEXT_REQUIRED: &str =
    r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B-\x1F\x7F-\x9F]*$";
/// A phone number: digits, spaces, `+ - ( ) .`, at least five digits.
const PHONE: &str = r"^[ +().-]*([0-9][ +().-]*){5,}$";
/// A patient's email: one `@`, a dot after it, no whitespace or control characters.
const PATIENT_EMAIL: &str =
    r"^[^@\s\x00-\x1F\x7F-\x9F]+@[^@\s\x00-\x1F\x7F-\x9F]*\.[^@\s\x00-\x1F\x7F-\x9F]*$";
/// A login email: one `@` and a dot somewhere.
const LOGIN_EMAIL: &str = r"^([^@]*\.[^@]*@[^@]*|[^@]*@[^@]*\.[^@]*)$";
/// A login email as a merge patch takes it: one `@`.
const ANY_EMAIL: &str = r"^[^@]*@[^@]*$";

/// Field rules the handlers check (validate functions in `routes`, `domain::patient`,
/// `domain::password`), as JSON Schema: (component, property, schema keywords to set).
/// A property that does not exist is a test failure (tests/api/openapi.rs).
pub fn field_rules() -> Vec<(&'static str, &'static str, serde_json::Value)> {
    use serde_json::json;
    let name = |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": NOT_BLANK});
    let password = || json!({"type": "string", "minLength": 12, "maxLength": 256});
    let patient_text = |max: u32| json!({"maxLength": max, "pattern": TEXT_REQUIRED});
    let phone = || json!({"maxLength": 40, "pattern": PHONE});
    let hhmm = r"^([01][0-9]|2[0-3]):[0-5][0-9]$";
    let mut rules = Vec::new();
    for patient in ["CreatePatient", "UpdatePatient"] {
        let list = || {
            json!({"maxItems": 100,
                   "items": {"type": "string", "maxLength": 200, "pattern": TEXT_REQUIRED}})
        };
        rules.extend([
            (patient, "phone", phone()),
            (
                patient,
                "email",
                json!({"maxLength": 254, "pattern": PATIENT_EMAIL}),
            ),
            (
                patient,
                "address",
                json!({"maxLength": 500, "pattern": TEXT}),
            ),
            (
                patient,
                "medical_history",
                json!({"maxLength": 20_000, "pattern": TEXT}),
            ),
            (
                patient,
                "fitzpatrick_type",
                json!({"minimum": 1, "maximum": 6}),
            ),
            (patient, "allergies", list()),
            (patient, "medications", list()),
        ]);
    }
    let patient_name = || json!({"type": "string", "maxLength": 100, "pattern": TEXT_REQUIRED});
    let birth =
        || json!({"type": "string", "format": "date", "pattern": "^(19|[2-9][0-9])[0-9]{2}-"});
    let follow_ups = || {
        json!({"maxItems": 20, "uniqueItems": true,
               "items": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 3650}})
    };
    rules.extend([
        ("CreatePatient", "given_name", patient_name()),
        ("CreatePatient", "family_name", patient_name()),
        ("CreatePatient", "date_of_birth", birth()),
        // A merge patch may not null these.
        ("UpdatePatient", "given_name", patient_name()),
        ("UpdatePatient", "family_name", patient_name()),
        ("UpdatePatient", "date_of_birth", birth()),
        (
            "UpdateService",
            "duration_minutes",
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": 1440}),
        ),
        (
            "UpdateService",
            "buffer_minutes",
            json!({"minimum": 0, "maximum": 720}),
        ),
        ("UpdateService", "follow_up_days", follow_ups()),
        ("ChangePassword", "new_password", password()),
        ("SetPassword", "new_password", password()),
        ("CreateUser", "password", password()),
        ("CreateUser", "display_name", name(100)),
        (
            "CreateUser",
            "email",
            json!({"maxLength": 254, "pattern": LOGIN_EMAIL}),
        ),
        ("UpdateUser", "display_name", name(100)),
        (
            "UpdateUser",
            "email",
            json!({"type": "string", "maxLength": 254, "pattern": ANY_EMAIL}),
        ),
        ("UpdateUser", "active", json!({"type": "boolean"})),
        ("CreateLocation", "name", name(200)),
        ("CreateRoom", "name", name(200)),
        ("CreatePractitioner", "display_name", name(200)),
        ("CreateService", "name", name(200)),
        (
            "CreateService",
            "duration_minutes",
            json!({"minimum": 1, "maximum": 1440}),
        ),
        (
            "CreateService",
            "buffer_minutes",
            json!({"minimum": 0, "maximum": 720}),
        ),
        ("CreateService", "follow_up_days", follow_ups()),
        ("UpdateService", "name", name(200)),
        ("CreateTemplate", "title", name(200)),
        ("CreateTemplate", "body_markdown", name(100_000)),
        (
            "CreateTemplate",
            "risks",
            json!({"maxItems": 50, "items": name(500)}),
        ),
        (
            "CreateTemplate",
            "valid_for_days",
            json!({"minimum": 1, "maximum": 3650}),
        ),
        ("EmergencyContact", "name", patient_text(100)),
        ("EmergencyContact", "phone", phone()),
        ("EmergencyContact", "relationship", patient_text(100)),
        ("CancelAppointment", "reason", name(500)),
        ("MarkEnteredInError", "reason", name(1000)),
        ("CreateAmendment", "reason", name(2000)),
        ("RevokeConsent", "reason", name(1000)),
        ("SignConsent", "signer_name", name(200)),
        ("SignOwnConsent", "signer_name", name(200)),
        (
            "WorkingHours",
            "weekday",
            json!({"minimum": 1, "maximum": 7}),
        ),
        ("WorkingHours", "start", json!({"pattern": hhmm})),
        (
            "WorkingHours",
            "end",
            json!({"pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}),
        ),
    ]);
    rules
}

/// Sets `keywords` on a property schema (an `Option<T>` property is `oneOf [null, T]` or
/// a type list; the keywords go to the non-null branch unless they set `type`).
fn apply_rule(property: &mut serde_json::Value, keywords: &serde_json::Value) {
    let Some(keywords) = keywords.as_object() else {
        return;
    };
    if keywords.contains_key("type") {
        // The rule states the whole type (a merge-patch field that refuses null).
        *property = serde_json::Value::Object(keywords.clone());
        return;
    }
    let target = match property.get_mut("oneOf").and_then(|o| o.as_array_mut()) {
        Some(branches) => branches
            .iter_mut()
            .find(|b| b.get("type").and_then(|t| t.as_str()) != Some("null")),
        None => Some(property),
    };
    if let Some(serde_json::Value::Object(map)) = target {
        for (k, v) in keywords {
            map.insert(k.clone(), v.clone());
        }
    }
}

impl Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Ok(mut doc) = serde_json::to_value(&*openapi) else {
            return;
        };
        for (component, property, keywords) in field_rules() {
            let pointer = format!("/components/schemas/{component}/properties/{property}");
            if let Some(schema) = doc.pointer_mut(&pointer) {
                apply_rule(schema, &keywords);
            }
        }
        flatten_all_of(&mut doc);
        constrain_schemas(&mut doc);
        if let Some(paths) = doc["paths"].as_object_mut() {
            for (path, item) in paths.iter_mut() {
                let Some(item) = item.as_object_mut() else {
                    continue;
                };
                for op in item.values_mut() {
                    let parameters = op.get_mut("parameters").and_then(|p| p.as_array_mut());
                    if let Some(parameters) = parameters {
                        for parameter in parameters {
                            constrain_parameter(path, parameter);
                        }
                    }
                }
            }
        }
        if let Ok(constrained) = serde_json::from_value(doc) {
            *openapi = constrained;
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "DermaChart API", description = "Appointment book and treatment record of an aesthetic-medicine clinic."),
    modifiers(&Security, &ProblemAnswers, &Constraints),
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
        routes::clinic::info::clinic_info,
        routes::clinic::locations::list::list_locations,
        routes::clinic::locations::create::create_location,
        routes::clinic::rooms::list::list_rooms,
        routes::clinic::rooms::create::create_room,
        routes::clinic::practitioners::list::list_practitioners,
        routes::clinic::practitioners::create::create_practitioner,
        routes::clinic::practitioners::get::get_practitioner,
        routes::clinic::working_hours::get::get_working_hours,
        routes::clinic::working_hours::put::put_working_hours,
        routes::clinic::time_off::list::list_time_off,
        routes::clinic::time_off::create::create_time_off,
        routes::clinic::services::list::list_services,
        routes::clinic::services::create::create_service,
        routes::clinic::services::get::get_service,
        routes::clinic::services::update::update_service,
        routes::availability::availability,
        routes::consents::templates::list::list_templates,
        routes::consents::templates::create::create_template,
        routes::consents::templates::get::get_template,
        routes::consents::templates::create_version::create_version,
        routes::consents::patient::request::request_consent,
        routes::consents::patient::list::list_consents,
        routes::consents::patient::get::get_consent,
        routes::consents::sign::sign_consent,
        routes::consents::transitions::witness::witness_consent,
        routes::consents::transitions::revoke::revoke_consent,
        routes::consultations::create::create_consultation,
        routes::consultations::get::get_consultation,
        routes::consultations::update::update_consultation,
        routes::consultations::sign::sign_consultation,
        routes::consultations::delete::delete_consultation,
        routes::consultations::amend::amend_consultation,
        routes::procedures::list::procedures_by_lot,
        routes::procedures::create::create_procedure,
        routes::procedures::get::get_procedure,
        routes::procedures::update::update_procedure,
        routes::procedures::sign::sign_procedure,
        routes::procedures::delete::delete_procedure,
        routes::procedures::amend::amend_procedure,
        routes::patients::record::patient_record,
        routes::adverse::create::create_adverse_event,
        routes::adverse::of_patient::list_adverse_events,
        routes::adverse::list::reports_due,
        routes::adverse::update::update_adverse_event,
        routes::adverse::mark_reported::mark_reported,
        routes::measurements::create::create_measurement,
        routes::measurements::list::list_measurements,
        routes::measurements::outcomes::outcomes,
        routes::photos::upload::upload_photo,
        routes::photos::list::list_photos,
        routes::photos::compare::compare_photos,
        routes::photos::download::get_photo,
        routes::photos::me::list::my_photos,
        routes::photos::me::get::my_photo,
        routes::me::list_appointments::my_appointments,
        routes::me::book_appointment::book_my_appointment,
        routes::me::get_appointment::my_appointment,
        routes::me::cancel_appointment::cancel_my_appointment,
        routes::me::list_consents::my_consents,
        routes::me::get_consent::my_consent,
        routes::me::sign_consent::sign_my_consent,
        routes::me::revoke_consent::revoke_my_consent,
        routes::me::measurements::my_measurements,
        routes::me::access_log::my_access_log,
        routes::me::record::my_record,
        routes::export::me::my_export,
        routes::export::patient::patient_export,
        routes::samples::create::create_sample,
        routes::samples::get::get_sample,
        routes::samples::record_event::record_sample_event,
        routes::calendar::token::issue::issue_calendar_token,
        routes::calendar::token::revoke::revoke_calendar_token,
        routes::calendar::feed::calendar_feed,
        routes::appointments::list::list_appointments,
        routes::appointments::create::create_appointment,
        routes::appointments::get::get_appointment,
        routes::appointments::update::update_appointment,
        routes::appointments::transition::confirm::confirm,
        routes::appointments::transition::check_in::check_in,
        routes::appointments::transition::start::start,
        routes::appointments::transition::complete::complete,
        routes::appointments::transition::cancel::cancel,
        routes::appointments::transition::no_show::no_show,
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
#[expect(
    dead_code,
    reason = "only documents the route that serves the document"
)]
fn openapi_doc() {}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// The document as pretty JSON (`dermachart openapi`, for the UI's type generation).
pub fn openapi_pretty() -> anyhow::Result<String> {
    Ok(ApiDoc::openapi().to_pretty_json()?)
}
