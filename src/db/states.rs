//! The domain's state enums as `TEXT` columns on both backends: written as their API names,
//! read back strictly (an unknown stored value is a deserialization error, never a default).
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, SingleValue, Text};

use crate::domain::adverse::{AdverseKind, Phase, Severity};
use crate::domain::clinical::{Eligibility, NoteStatus, SampleState};
use crate::domain::consent::{ConsentScope, ConsentStatus};
use crate::domain::role::Role;
use crate::domain::schedule::AppointmentStatus;

/// Maps an enum with `as_str(self) -> &'static str` and `parse(&str) -> Option<Self>` to
/// `Text`. Written out rather than derived so that `domain/` stays free of diesel; the impls
/// are the ones `#[derive(AsExpression, FromSqlRow)]` would give. Binding goes through the
/// variant's `&'static str`, so every backend that binds text (PostgreSQL, SQLite and the
/// `MultiBackend` of `DbConnection`) binds a state.
macro_rules! text_state {
    ($ty:ty, $what:literal) => {
        impl AsExpression<Text> for $ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Text> for &$ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for &$ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }

        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, DB>>::from_sql(value)?;
                // The stored value stays out of the message: it is logged with the 500.
                <$ty>::parse(&text)
                    .ok_or_else(|| concat!("unknown ", $what, " in the database").into())
            }
        }

        impl<DB, ST> Queryable<ST, DB> for $ty
        where
            DB: Backend,
            ST: SingleValue,
            Self: FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    };
}

text_state!(AppointmentStatus, "appointment status");
text_state!(NoteStatus, "note status");
text_state!(Eligibility, "consultation eligibility");
text_state!(Role, "role");
text_state!(ConsentStatus, "consent status");
text_state!(ConsentScope, "consent scope");
text_state!(SampleState, "sample state");
text_state!(AdverseKind, "adverse event kind");
text_state!(Severity, "adverse event severity");
text_state!(Phase, "adverse event phase");

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::expression::AsExpression;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::DbConnection;
    use crate::domain::adverse::{AdverseKind, Phase, Severity};
    use crate::domain::clinical::{Eligibility, NoteStatus, SampleState};
    use crate::domain::consent::{ConsentScope, ConsentStatus};
    use crate::domain::schedule::AppointmentStatus;

    /// SQLite in memory, and PostgreSQL too when `TEST_DATABASE_URL` names one.
    fn connections() -> Vec<DbConnection> {
        let mut all = vec![DbConnection::Sqlite(
            SqliteConnection::establish(":memory:").expect("in-memory SQLite"),
        )];
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            all.push(DbConnection::Postgres(
                PgConnection::establish(&url).expect("TEST_DATABASE_URL"),
            ));
        }
        all
    }

    /// Every variant goes to the database as its API name and comes back as itself; a
    /// stored value that names no variant (unknown, or in another case) is an error.
    macro_rules! holds_strictly {
        ($conn:expr, $ty:ty) => {{
            let conn: &mut DbConnection = $conn;
            for state in <$ty>::ALL {
                let bound = || <$ty as AsExpression<Text>>::as_expression(state);
                let back: $ty = diesel::select(bound()).get_result(conn).unwrap();
                assert_eq!(back, state);
                let text: String = diesel::select(bound()).get_result(conn).unwrap();
                assert_eq!(text, state.as_str());
                let shouted = format!("'{}'", state.as_str().to_uppercase());
                let refused = diesel::select(sql::<Text>(&shouted)).get_result::<$ty>(conn);
                assert!(
                    matches!(refused, Err(diesel::result::Error::DeserializationError(_))),
                    "{shouted} read as {refused:?}"
                );
            }
            for stored in ["'bogus'", "''"] {
                let refused = diesel::select(sql::<Text>(stored)).get_result::<$ty>(conn);
                assert!(
                    matches!(refused, Err(diesel::result::Error::DeserializationError(_))),
                    "{stored} read as {refused:?}"
                );
            }
            let unknown: Option<$ty> =
                diesel::select(sql::<diesel::sql_types::Nullable<Text>>("NULL"))
                    .get_result(conn)
                    .unwrap();
            assert_eq!(unknown, None);
        }};
    }

    #[test]
    fn appointment_status_round_trips_and_refuses_unknown_values() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, AppointmentStatus);
        }
    }

    #[test]
    fn note_status_round_trips_and_refuses_unknown_values() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, NoteStatus);
            holds_strictly!(&mut conn, Eligibility);
        }
    }

    #[test]
    fn consent_status_and_scope_round_trip_and_refuse_unknown_values() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, ConsentStatus);
            holds_strictly!(&mut conn, ConsentScope);
        }
    }

    #[test]
    fn sample_state_round_trips_and_refuses_unknown_values() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, SampleState);
        }
    }

    #[test]
    fn adverse_event_kind_severity_and_phase_round_trip_and_refuse_unknown_values() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, AdverseKind);
            holds_strictly!(&mut conn, Severity);
            holds_strictly!(&mut conn, Phase);
        }
    }

    #[test]
    fn a_role_round_trips_and_an_unknown_one_is_refused_never_read_as_patient() {
        for mut conn in connections() {
            holds_strictly!(&mut conn, crate::domain::role::Role);
        }
    }

    #[test]
    fn a_filter_on_a_state_binds_its_name() {
        for mut conn in connections() {
            let matched: i32 = diesel::select(
                sql::<diesel::sql_types::Integer>("CASE WHEN ")
                    .bind::<Text, _>("draft")
                    .sql(" = ")
                    .bind::<Text, _>(NoteStatus::Draft)
                    .sql(" THEN 1 ELSE 0 END"),
            )
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(matched, 1);
        }
    }
}
