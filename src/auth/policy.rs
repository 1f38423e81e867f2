//! The one table that says which role may call which route. The guard middleware
//! enforces it before any handler runs; a route missing here is refused.
use crate::domain::role::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No session needed.
    Public,
    /// Any signed-in user, patients included.
    AnyUser,
    /// Only these roles.
    Roles(&'static [Role]),
    /// The path exists but not with this method: nobody (405, or 404 for patients).
    OtherMethod,
}

use Role::{Admin, FrontDesk, Patient, Practitioner};

const STAFF: &[Role] = &[Admin, FrontDesk, Practitioner];
const ADMIN: &[Role] = &[Admin];
const EVERYONE: &[Role] = &[Admin, FrontDesk, Practitioner, Patient];
const PRACTITIONER: &[Role] = &[Practitioner];
const CLINICAL_READERS: &[Role] = &[Admin, Practitioner];
const PATIENT: &[Role] = &[Patient];

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::AnyUser => true,
            Access::Roles(roles) => roles.contains(&role),
            Access::OtherMethod => false,
        }
    }
}

/// One route's rule: method, actix path pattern (with the `/api/v1` prefix), access.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    pub pattern: &'static str,
    pub access: Access,
}

const fn rule(method: &'static str, pattern: &'static str, access: Access) -> Rule {
    Rule {
        method,
        pattern,
        access,
    }
}

/// Every API route. Keep in step with `routes::configure` (the matrix test checks both ways).
pub const RULES: &[Rule] = &[
    // Public
    rule("GET", "/api/v1/openapi.json", Access::Public),
    rule("GET", "/api/v1/clinic", Access::Public),
    rule("POST", "/api/v1/auth/login", Access::Public),
    rule("POST", "/api/v1/auth/password-reset", Access::Public),
    rule("POST", "/api/v1/auth/set-password", Access::Public),
    // Oneself
    rule("POST", "/api/v1/auth/logout", Access::AnyUser),
    rule("GET", "/api/v1/auth/me", Access::AnyUser),
    rule("POST", "/api/v1/auth/password", Access::AnyUser),
    rule("POST", "/api/v1/auth/totp/enroll", Access::Roles(STAFF)),
    rule("POST", "/api/v1/auth/totp/confirm", Access::Roles(STAFF)),
    // Users (admin)
    rule("GET", "/api/v1/users", Access::Roles(ADMIN)),
    rule("POST", "/api/v1/users", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/users/{id}", Access::Roles(ADMIN)),
    rule("PATCH", "/api/v1/users/{id}", Access::Roles(ADMIN)),
    rule("DELETE", "/api/v1/users/{id}/totp", Access::Roles(ADMIN)),
    rule("POST", "/api/v1/users/{id}/unlock", Access::Roles(ADMIN)),
    // Patients (staff)
    rule("GET", "/api/v1/patients", Access::Roles(STAFF)),
    rule("POST", "/api/v1/patients", Access::Roles(STAFF)),
    rule("POST", "/api/v1/patients/import", Access::Roles(STAFF)),
    rule("GET", "/api/v1/patients/{id}", Access::Roles(STAFF)),
    rule("PATCH", "/api/v1/patients/{id}", Access::Roles(STAFF)),
    rule("DELETE", "/api/v1/patients/{id}", Access::Roles(STAFF)),
    rule("GET", "/api/v1/patients/{id}/record", Access::Roles(STAFF)),
    rule(
        "POST",
        "/api/v1/patients/{id}/portal-account",
        Access::Roles(&[Admin, FrontDesk]),
    ),
    // Audit (admin)
    rule("GET", "/api/v1/audit", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/audit/verify", Access::Roles(ADMIN)),
    // Clinic set-up (admin writes; staff read; patients see what booking needs)
    rule("GET", "/api/v1/locations", Access::Roles(EVERYONE)),
    rule("POST", "/api/v1/locations", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/rooms", Access::Roles(STAFF)),
    rule("POST", "/api/v1/rooms", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/practitioners", Access::Roles(EVERYONE)),
    rule("POST", "/api/v1/practitioners", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/practitioners/{id}", Access::Roles(STAFF)),
    rule(
        "GET",
        "/api/v1/practitioners/{id}/working-hours",
        Access::Roles(STAFF),
    ),
    rule(
        "PUT",
        "/api/v1/practitioners/{id}/working-hours",
        Access::Roles(ADMIN),
    ),
    rule(
        "GET",
        "/api/v1/practitioners/{id}/time-off",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/practitioners/{id}/time-off",
        Access::Roles(ADMIN),
    ),
    rule("GET", "/api/v1/services", Access::Roles(EVERYONE)),
    rule("POST", "/api/v1/services", Access::Roles(ADMIN)),
    rule("GET", "/api/v1/services/{id}", Access::Roles(STAFF)),
    rule("PATCH", "/api/v1/services/{id}", Access::Roles(ADMIN)),
    // Scheduling (any staff role; patients book through /me)
    rule("GET", "/api/v1/availability", Access::Roles(EVERYONE)),
    // Consent: templates are admin's; staff ask, sign (scope checked in the handler),
    // witness and revoke; front desk sees status.
    rule("GET", "/api/v1/consent-templates", Access::Roles(STAFF)),
    rule("POST", "/api/v1/consent-templates", Access::Roles(ADMIN)),
    // A template's text is no one's data: a patient reads the exact text before signing.
    rule(
        "GET",
        "/api/v1/consent-templates/{id}",
        Access::Roles(EVERYONE),
    ),
    rule(
        "POST",
        "/api/v1/consent-templates/{id}/versions",
        Access::Roles(ADMIN),
    ),
    rule(
        "GET",
        "/api/v1/patients/{id}/consents",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/patients/{id}/consents",
        Access::Roles(&[FrontDesk, Practitioner]),
    ),
    rule("GET", "/api/v1/consents/{id}", Access::Roles(STAFF)),
    rule("POST", "/api/v1/consents/{id}/sign", Access::Roles(STAFF)),
    rule(
        "POST",
        "/api/v1/consents/{id}/witness",
        Access::Roles(STAFF),
    ),
    rule("POST", "/api/v1/consents/{id}/revoke", Access::Roles(STAFF)),
    // Clinical notes: written by practitioners (the handler checks authorship),
    // read by practitioners and admin; never by front desk.
    rule("POST", "/api/v1/consultations", Access::Roles(PRACTITIONER)),
    rule(
        "GET",
        "/api/v1/consultations/{id}",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "PATCH",
        "/api/v1/consultations/{id}",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "DELETE",
        "/api/v1/consultations/{id}",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/consultations/{id}/sign",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/consultations/{id}/amendments",
        Access::Roles(PRACTITIONER),
    ),
    rule("GET", "/api/v1/procedures", Access::Roles(CLINICAL_READERS)),
    rule("POST", "/api/v1/procedures", Access::Roles(PRACTITIONER)),
    rule(
        "GET",
        "/api/v1/procedures/{id}",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "PATCH",
        "/api/v1/procedures/{id}",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "DELETE",
        "/api/v1/procedures/{id}",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/procedures/{id}/sign",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/procedures/{id}/amendments",
        Access::Roles(PRACTITIONER),
    ),
    rule("POST", "/api/v1/samples", Access::Roles(PRACTITIONER)),
    rule(
        "GET",
        "/api/v1/patients/{id}/measurements",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "POST",
        "/api/v1/patients/{id}/measurements",
        Access::Roles(PRACTITIONER),
    ),
    rule("GET", "/api/v1/outcomes", Access::Roles(CLINICAL_READERS)),
    // Entered in error: practitioners mark; the mark is its own row.
    rule(
        "POST",
        "/api/v1/consultations/{id}/entered-in-error",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/procedures/{id}/entered-in-error",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/measurements/{id}/entered-in-error",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/adverse-events/{id}/entered-in-error",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/photos/{id}/entered-in-error",
        Access::Roles(PRACTITIONER),
    ),
    // Photos: taken by practitioners, read by clinicians; the bytes also by the
    // photo's own patient (the handler answers 404 for anyone else's).
    rule(
        "GET",
        "/api/v1/patients/{id}/photos",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "POST",
        "/api/v1/patients/{id}/photos",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "GET",
        "/api/v1/patients/{id}/photos/compare",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "GET",
        "/api/v1/photos/{id}",
        Access::Roles(&[Admin, Practitioner, Patient]),
    ),
    // The patient's own record: every handler works on the caller's own patient id.
    rule("GET", "/api/v1/me/appointments", Access::Roles(PATIENT)),
    rule("POST", "/api/v1/me/appointments", Access::Roles(PATIENT)),
    rule(
        "GET",
        "/api/v1/me/appointments/{id}",
        Access::Roles(PATIENT),
    ),
    rule(
        "POST",
        "/api/v1/me/appointments/{id}/cancel",
        Access::Roles(PATIENT),
    ),
    rule("GET", "/api/v1/me/consents", Access::Roles(PATIENT)),
    rule("GET", "/api/v1/me/consents/{id}", Access::Roles(PATIENT)),
    rule(
        "POST",
        "/api/v1/me/consents/{id}/sign",
        Access::Roles(PATIENT),
    ),
    rule(
        "POST",
        "/api/v1/me/consents/{id}/revoke",
        Access::Roles(PATIENT),
    ),
    rule("GET", "/api/v1/me/measurements", Access::Roles(PATIENT)),
    rule("GET", "/api/v1/me/access-log", Access::Roles(PATIENT)),
    rule("GET", "/api/v1/me/record", Access::Roles(PATIENT)),
    rule("GET", "/api/v1/me/export", Access::Roles(PATIENT)),
    // FHIR export of a whole record: clinical readers only (never front desk).
    rule(
        "GET",
        "/api/v1/patients/{id}/export",
        Access::Roles(CLINICAL_READERS),
    ),
    rule("GET", "/api/v1/me/photos", Access::Roles(PATIENT)),
    rule("GET", "/api/v1/me/photos/{id}", Access::Roles(PATIENT)),
    rule(
        "GET",
        "/api/v1/patients/{id}/adverse-events",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "POST",
        "/api/v1/patients/{id}/adverse-events",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "GET",
        "/api/v1/adverse-events",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "PATCH",
        "/api/v1/adverse-events/{id}",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "POST",
        "/api/v1/adverse-events/{id}/reported",
        Access::Roles(PRACTITIONER),
    ),
    rule(
        "GET",
        "/api/v1/samples/{id}",
        Access::Roles(CLINICAL_READERS),
    ),
    rule(
        "POST",
        "/api/v1/samples/{id}/events",
        Access::Roles(PRACTITIONER),
    ),
    // The calendar feed leaves the clinic: only admin or that practitioner manage its token
    // (the handler checks which practitioner); the feed itself opens with the token.
    rule(
        "POST",
        "/api/v1/practitioners/{id}/calendar-token",
        Access::Roles(&[Admin, Practitioner]),
    ),
    rule(
        "DELETE",
        "/api/v1/practitioners/{id}/calendar-token",
        Access::Roles(&[Admin, Practitioner]),
    ),
    rule(
        "GET",
        "/api/v1/practitioners/{id}/calendar.ics",
        Access::Public,
    ),
    rule("GET", "/api/v1/appointments", Access::Roles(STAFF)),
    rule("POST", "/api/v1/appointments", Access::Roles(STAFF)),
    rule("GET", "/api/v1/appointments/{id}", Access::Roles(STAFF)),
    rule("PATCH", "/api/v1/appointments/{id}", Access::Roles(STAFF)),
    rule(
        "POST",
        "/api/v1/appointments/{id}/confirm",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/check-in",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/start",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/complete",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/cancel",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/no-show",
        Access::Roles(STAFF),
    ),
    rule(
        "POST",
        "/api/v1/appointments/{id}/follow-ups",
        Access::Roles(STAFF),
    ),
];

/// The outcome of looking a request up in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The route and method are classified.
    Found(Access),
    /// The path matches a route but not with this method (405).
    OtherMethod,
    /// The path matches no classified route.
    Unclassified,
}

pub fn lookup(method: &str, pattern: &str) -> Lookup {
    let mut same_path = false;
    for r in RULES {
        if r.pattern == pattern {
            if r.method == method {
                return Lookup::Found(r.access);
            }
            same_path = true;
        }
    }
    if same_path {
        Lookup::OtherMethod
    } else {
        Lookup::Unclassified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_unique() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.pattern == b.pattern),
                    "{} {} twice",
                    a.method,
                    a.pattern
                );
            }
        }
    }

    #[test]
    fn patients_cannot_reach_staff_routes() {
        assert_eq!(
            lookup("GET", "/api/v1/patients/{id}"),
            Lookup::Found(Access::Roles(STAFF))
        );
        assert!(!Access::Roles(STAFF).allows(Role::Patient));
        assert_eq!(lookup("GET", "/api/v1/nothing"), Lookup::Unclassified);
    }
}
