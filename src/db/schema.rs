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

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(users -> patients (patient_id));

diesel::allow_tables_to_appear_in_same_query!(patients, users, sessions, login_failures, audit_log);
