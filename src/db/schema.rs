//! The tables, as both backends' migrations create them (see `tests/api/schema.rs`).
#![allow(missing_docs)]

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    patients (id) {
        id -> DbUuid,
        mrn -> Text,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Date,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        emergency_contact -> Nullable<Text>,
        allergies -> Text,
        medications -> Text,
        medical_history -> Nullable<Text>,
        fitzpatrick_type -> Nullable<Integer>,
        archived -> Bool,
        given_name_search -> Text,
        family_name_search -> Text,
        email_search -> Nullable<Text>,
        phone_search -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    users (id) {
        id -> DbUuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        patient_id -> Nullable<DbUuid>,
        totp_secret -> Nullable<Text>,
        totp_confirmed -> Bool,
        totp_last_step -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    sessions (id) {
        id -> DbUuid,
        token_hash -> Text,
        user_id -> DbUuid,
        via_cookie -> Bool,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    login_failures (id) {
        id -> BigInt,
        throttle_key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    audit_log (seq) {
        seq -> BigInt,
        id -> DbUuid,
        at -> Timestamp,
        actor_id -> Nullable<DbUuid>,
        actor_role -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        patient_id -> Nullable<DbUuid>,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    locations (id) {
        id -> DbUuid,
        name -> Text,
        address -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    rooms (id) {
        id -> DbUuid,
        location_id -> DbUuid,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    practitioners (id) {
        id -> DbUuid,
        user_id -> DbUuid,
        display_name -> Text,
        title -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    working_hours (id) {
        id -> DbUuid,
        practitioner_id -> DbUuid,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
        location_id -> DbUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    time_off (id) {
        id -> DbUuid,
        practitioner_id -> DbUuid,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    services (id) {
        id -> DbUuid,
        name -> Text,
        duration_minutes -> Integer,
        buffer_minutes -> Integer,
        requires_room -> Bool,
        consent_template_id -> Nullable<DbUuid>,
        follow_up_days -> Text,
        follow_up_service_id -> Nullable<DbUuid>,
        patient_bookable -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    appointments (id) {
        id -> DbUuid,
        patient_id -> DbUuid,
        practitioner_id -> DbUuid,
        service_id -> DbUuid,
        room_id -> Nullable<DbUuid>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        blocked_until -> Timestamp,
        status -> Text,
        notes -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        follow_up_of -> Nullable<DbUuid>,
        follow_up_offset_days -> Nullable<Integer>,
        booked_by -> Nullable<DbUuid>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    idempotency_keys (user_id, key) {
        user_id -> DbUuid,
        key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    reminders (id) {
        id -> DbUuid,
        appointment_id -> DbUuid,
        send_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    calendar_tokens (practitioner_id) {
        practitioner_id -> DbUuid,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(rooms -> locations (location_id));
diesel::joinable!(practitioners -> users (user_id));
diesel::joinable!(working_hours -> practitioners (practitioner_id));
diesel::joinable!(time_off -> practitioners (practitioner_id));
diesel::joinable!(appointments -> patients (patient_id));
diesel::joinable!(appointments -> practitioners (practitioner_id));
diesel::joinable!(appointments -> services (service_id));
diesel::joinable!(appointments -> rooms (room_id));
diesel::joinable!(reminders -> appointments (appointment_id));
diesel::joinable!(users -> patients (patient_id));

diesel::allow_tables_to_appear_in_same_query!(
    patients,
    users,
    sessions,
    login_failures,
    audit_log,
    locations,
    rooms,
    practitioners,
    working_hours,
    time_off,
    services,
    appointments,
    idempotency_keys,
    reminders,
    calendar_tokens,
);
