//! SQL types shared by both backends: UUIDs native on PostgreSQL, 16-byte BLOBs on SQLite.
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::query_builder::QueryId;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Binary, HasSqlType, SqlType};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// A UUID column: `uuid` on PostgreSQL, a 16-byte `BLOB` on SQLite.
#[derive(Debug, Clone, Copy, Default, SqlType, QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Binary"))]
pub struct DbUuid;

impl HasSqlType<DbUuid> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<DbUuid>(lookup)
    }
}

pub(crate) fn uuid_to_pg<'b>(
    id: &'b uuid::Uuid,
    out: &mut Output<'b, '_, Pg>,
) -> serialize::Result {
    <uuid::Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(id, out)
}

pub(crate) fn uuid_from_pg(
    value: <Pg as Backend>::RawValue<'_>,
) -> deserialize::Result<uuid::Uuid> {
    <uuid::Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(value)
}

pub(crate) fn uuid_to_sqlite<'b>(
    id: &'b uuid::Uuid,
    out: &mut Output<'b, '_, Sqlite>,
) -> serialize::Result {
    <[u8] as ToSql<Binary, Sqlite>>::to_sql(id.as_bytes().as_slice(), out)
}

/// Reads the 16 bytes where SQLite holds them (`read_blob`), not through diesel's
/// `Vec<u8>`, which allocates a copy of every id of every row read.
pub(crate) fn uuid_from_sqlite(
    mut value: <Sqlite as Backend>::RawValue<'_>,
) -> deserialize::Result<uuid::Uuid> {
    Ok(uuid::Uuid::from_slice(value.read_blob())?)
}

/// Declares a typed id: a UUID newtype that maps to [`DbUuid`] on every backend,
/// so a patient id can never be passed where a user id is expected.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        #[diesel(sql_type = $crate::db::types::DbUuid)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh time-ordered (v7) id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl diesel::serialize::ToSql<$crate::db::types::DbUuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                $crate::db::types::uuid_to_pg(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<$crate::db::types::DbUuid, diesel::pg::Pg> for $name {
            fn from_sql(
                value: <diesel::pg::Pg as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                $crate::db::types::uuid_from_pg(value).map(Self)
            }
        }

        impl diesel::serialize::ToSql<$crate::db::types::DbUuid, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                $crate::db::types::uuid_to_sqlite(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<$crate::db::types::DbUuid, diesel::sqlite::Sqlite>
            for $name
        {
            fn from_sql(
                value: <diesel::sqlite::Sqlite as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                $crate::db::types::uuid_from_sqlite(value).map(Self)
            }
        }

        impl diesel::serialize::ToSql<$crate::db::types::DbUuid, $crate::db::MultiBackend>
            for $name
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value(($crate::db::types::DbUuid, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<$crate::db::types::DbUuid, $crate::db::MultiBackend>
            for $name
        {
            fn from_sql(
                value: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                value.from_sql::<Self, $crate::db::types::DbUuid>()
            }
        }
    };
}

typed_id!(
    /// A staff or patient login.
    UserId
);
typed_id!(
    /// A patient (the person whose chart it is).
    PatientId
);
typed_id!(
    /// A login session.
    SessionId
);
typed_id!(
    /// One row of the audit log.
    AuditId
);
typed_id!(
    /// A clinic site.
    LocationId
);
typed_id!(
    /// A treatment room.
    RoomId
);
typed_id!(
    /// A practitioner (linked to a user).
    PractitionerId
);
typed_id!(
    /// A bookable service.
    ServiceId
);
typed_id!(
    /// An appointment.
    AppointmentId
);
typed_id!(
    /// One working-hours range.
    WorkingHoursId
);
typed_id!(
    /// A period of time off.
    TimeOffId
);
typed_id!(
    /// A reminder in the outbox.
    ReminderId
);
typed_id!(
    /// A consent-template family (its first version's id), as a service names it.
    ConsentFamilyId
);
typed_id!(
    /// One version of a consent template.
    ConsentTemplateId
);
typed_id!(
    /// A patient's consent.
    ConsentId
);
typed_id!(
    /// A consultation note.
    ConsultationId
);
typed_id!(
    /// A procedure note.
    ProcedureId
);
typed_id!(
    /// An amendment to a signed note.
    AmendmentId
);
typed_id!(
    /// An autologous cell sample.
    SampleId
);
typed_id!(
    /// A custody event of a sample.
    SampleEventId
);
typed_id!(
    /// An adverse event.
    AdverseEventId
);
typed_id!(
    /// The id of a consultation or procedure note, as amendments refer to either.
    NoteId
);
typed_id!(
    /// A skin measurement.
    MeasurementId
);
typed_id!(
    /// A clinical photo.
    PhotoId
);
typed_id!(
    /// A single-use set-password or reset token.
    PasswordTokenId
);
typed_id!(
    /// An email waiting in the outbox.
    EmailId
);
