//! Clinic set-up: locations, rooms, practitioners, working hours, time off, services.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{locations, practitioners, rooms, services, time_off, working_hours};
use crate::db::stamp::Stamp;
use crate::db::types::{
    ConsentFamilyId, LocationId, PractitionerId, RoomId, ServiceId, TimeOffId, UserId,
    WorkingHoursId,
};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct LocationRow {
    pub id: LocationId,
    pub name: String,
    pub address: Option<String>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms)]
pub struct RoomRow {
    pub id: RoomId,
    pub location_id: LocationId,
    pub name: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = practitioners)]
pub struct PractitionerRow {
    pub id: PractitionerId,
    pub user_id: UserId,
    pub display_name: String,
    pub title: Option<String>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = working_hours)]
pub struct WorkingHoursRow {
    pub id: WorkingHoursId,
    pub practitioner_id: PractitionerId,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub location_id: LocationId,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = time_off)]
pub struct TimeOffRow {
    pub id: TimeOffId,
    pub practitioner_id: PractitionerId,
    #[diesel(deserialize_as = Stamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub ends_at: NaiveDateTime,
    pub reason: Option<String>,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct ServiceRow {
    pub id: ServiceId,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_minutes: i32,
    pub requires_room: bool,
    pub consent_template_id: Option<ConsentFamilyId>,
    /// JSON array of day offsets.
    pub follow_up_days: String,
    pub follow_up_service_id: Option<ServiceId>,
    pub patient_bookable: bool,
    pub version: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

impl ServiceRow {
    pub fn follow_up_days(&self) -> Vec<i32> {
        serde_json::from_str(&self.follow_up_days).unwrap_or_default()
    }
}

pub fn insert_location(conn: &mut DbConnection, row: &LocationRow) -> QueryResult<usize> {
    diesel::insert_into(locations::table)
        .values(row)
        .execute(conn)
}

pub fn list_locations(conn: &mut DbConnection) -> QueryResult<Vec<LocationRow>> {
    locations::table
        .select(LocationRow::as_select())
        .order((locations::created_at.desc(), locations::id.desc()))
        .load(conn)
}

pub fn find_location(conn: &mut DbConnection, id: LocationId) -> QueryResult<Option<LocationRow>> {
    locations::table
        .find(id)
        .select(LocationRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_room(conn: &mut DbConnection, row: &RoomRow) -> QueryResult<usize> {
    diesel::insert_into(rooms::table).values(row).execute(conn)
}

pub fn list_rooms(conn: &mut DbConnection) -> QueryResult<Vec<RoomRow>> {
    rooms::table
        .select(RoomRow::as_select())
        .order((rooms::created_at.desc(), rooms::id.desc()))
        .load(conn)
}

pub fn find_room(conn: &mut DbConnection, id: RoomId) -> QueryResult<Option<RoomRow>> {
    crate::db::native!(conn, |c| rooms::table
        .find(id)
        .select(RoomRow::as_select())
        .first(c)
        .optional())
}

pub fn rooms_at(
    conn: &mut DbConnection,
    locations_wanted: &[LocationId],
) -> QueryResult<Vec<RoomRow>> {
    crate::db::native!(conn, |c| rooms::table
        .filter(rooms::location_id.eq_any(locations_wanted.to_vec()))
        .select(RoomRow::as_select())
        .order(rooms::name.asc())
        .load(c))
}

pub fn insert_practitioner(conn: &mut DbConnection, row: &PractitionerRow) -> QueryResult<usize> {
    diesel::insert_into(practitioners::table)
        .values(row)
        .execute(conn)
}

pub fn list_practitioners(conn: &mut DbConnection) -> QueryResult<Vec<PractitionerRow>> {
    practitioners::table
        .select(PractitionerRow::as_select())
        .order((practitioners::created_at.desc(), practitioners::id.desc()))
        .load(conn)
}

pub fn find_practitioner(
    conn: &mut DbConnection,
    id: PractitionerId,
) -> QueryResult<Option<PractitionerRow>> {
    crate::db::native!(conn, |c| practitioners::table
        .find(id)
        .select(PractitionerRow::as_select())
        .first(c)
        .optional())
}

pub fn practitioner_of_user(
    conn: &mut DbConnection,
    user: UserId,
) -> QueryResult<Option<PractitionerRow>> {
    practitioners::table
        .filter(practitioners::user_id.eq(user))
        .select(PractitionerRow::as_select())
        .first(conn)
        .optional()
}

/// A practitioner's working hours by weekday and start, read from the index alone
/// (migration `covering_indexes`).
macro_rules! working_hours_lookup {
    ($practitioner:expr) => {
        working_hours::table
            .filter(working_hours::practitioner_id.eq($practitioner))
            .select(WorkingHoursRow::as_select())
            .order((
                working_hours::weekday.asc(),
                working_hours::start_minute.asc(),
            ))
    };
}
#[cfg(test)]
pub(crate) use working_hours_lookup;

pub fn working_hours_of(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
) -> QueryResult<Vec<WorkingHoursRow>> {
    crate::db::native!(conn, |c| working_hours_lookup!(practitioner).load(c))
}

pub fn replace_working_hours(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    rows: &[WorkingHoursRow],
) -> QueryResult<()> {
    diesel::delete(working_hours::table.filter(working_hours::practitioner_id.eq(practitioner)))
        .execute(conn)?;
    for row in rows {
        diesel::insert_into(working_hours::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn time_off_of(
    conn: &mut DbConnection,
    practitioner: PractitionerId,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<TimeOffRow>> {
    crate::db::native!(conn, |c| time_off::table
        .filter(time_off::practitioner_id.eq(practitioner))
        .filter(time_off::starts_at.lt(Stamp(to)))
        .filter(time_off::ends_at.gt(Stamp(from)))
        .select(TimeOffRow::as_select())
        .order(time_off::starts_at.asc())
        .load(c))
}

pub fn insert_time_off(conn: &mut DbConnection, row: &TimeOffRow) -> QueryResult<usize> {
    diesel::insert_into(time_off::table)
        .values(row)
        .execute(conn)
}

pub fn insert_service(conn: &mut DbConnection, row: &ServiceRow) -> QueryResult<usize> {
    diesel::insert_into(services::table)
        .values(row)
        .execute(conn)
}

pub fn update_service(
    conn: &mut DbConnection,
    row: &ServiceRow,
    expected_version: i64,
) -> QueryResult<usize> {
    diesel::update(
        services::table
            .filter(services::id.eq(row.id))
            .filter(services::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)
}

pub fn list_services(conn: &mut DbConnection) -> QueryResult<Vec<ServiceRow>> {
    services::table
        .select(ServiceRow::as_select())
        .order((services::created_at.desc(), services::id.desc()))
        .load(conn)
}

pub fn find_service(conn: &mut DbConnection, id: ServiceId) -> QueryResult<Option<ServiceRow>> {
    crate::db::native!(conn, |c| services::table
        .find(id)
        .select(ServiceRow::as_select())
        .first(c)
        .optional())
}
