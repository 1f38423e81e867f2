//! The clinic most tests start from: one location, two rooms, two practitioners, services.
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use super::{spawn_app_with, TestApp};

/// A clinic: one location, two rooms, two practitioners working every day, and services.
pub struct Clinic {
    pub app: TestApp,
    pub admin: String,
    pub desk: String,
    pub location: String,
    pub rooms: Vec<String>,
    pub practitioners: Vec<String>,
    pub consultation: String,
    pub facial: String,
    pub review: String,
}

/// A future Monday at `hh:mm` UTC, `weeks` weeks ahead (clinic zone UTC unless set otherwise).
pub fn monday(weeks: i64, hh: u32, mm: u32) -> DateTime<Utc> {
    let today = Utc::now().date_naive();
    let days_to_monday =
        (7 - i64::from(chrono::Datelike::weekday(&today).num_days_from_monday())) % 7;
    let date = today + Duration::days(days_to_monday + 7 * weeks.max(1));
    Utc.from_utc_datetime(&date.and_hms_opt(hh, mm, 0).unwrap())
}

pub async fn clinic_with(hours: Value, tz: &'static str) -> Clinic {
    clinic_with_settings(hours, move |s| s.clinic_timezone = tz.parse().unwrap()).await
}

pub async fn clinic_with_settings(
    hours: Value,
    adjust: impl FnOnce(&mut dermachart::config::Settings),
) -> Clinic {
    let app = spawn_app_with(adjust).await;
    let admin = app.sign_in(Role::Admin).await.token;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let location: Value = app
        .post(
            &admin,
            "/api/v1/locations",
            &json!({"name": "Harley Street", "address": "10 Harley St"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let location = location["id"].as_str().unwrap().to_owned();
    let mut rooms = Vec::new();
    for name in ["Treatment 1", "Treatment 2"] {
        let r: Value = app
            .post(
                &admin,
                "/api/v1/rooms",
                &json!({"location_id": location, "name": name}),
            )
            .await
            .json()
            .await
            .unwrap();
        rooms.push(r["id"].as_str().unwrap().to_owned());
    }
    let mut practitioners = Vec::new();
    for name in ["Dr Lee", "Dr Haddad"] {
        let user = app.sign_in(Role::Practitioner).await;
        let r = app
            .post(
                &admin,
                "/api/v1/practitioners",
                &json!({"user_id": user.user_id, "display_name": name, "title": "Dr"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let p: Value = r.json().await.unwrap();
        let id = p["id"].as_str().unwrap().to_owned();
        let mut week = Vec::new();
        for range in hours.as_array().unwrap() {
            for weekday in 1..=7 {
                week.push(json!({"weekday": weekday, "start": range[0], "end": range[1], "location_id": location}));
            }
        }
        let r = app
            .client
            .put(app.url(&format!("/api/v1/practitioners/{id}/working-hours")))
            .bearer_auth(&admin)
            .json(&week)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        practitioners.push(id);
    }
    let service = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let r = app.post(&admin, "/api/v1/services", &body).await;
            assert_eq!(r.status(), 201, "service");
            let v: Value = r.json().await.unwrap();
            v["id"].as_str().unwrap().to_owned()
        }
    };
    let review =
        service(json!({"name": "Follow-up review", "duration_minutes": 20, "buffer_minutes": 10}))
            .await;
    let consultation = service(json!({"name": "Consultation", "duration_minutes": 30, "buffer_minutes": 15, "patient_bookable": true})).await;
    let facial = service(json!({"name": "Stem cell facial", "duration_minutes": 150, "buffer_minutes": 30,
        "requires_room": true, "follow_up_days": [14, 42, 90, 180], "follow_up_service_id": review})).await;
    Clinic {
        app,
        admin,
        desk,
        location,
        rooms,
        practitioners,
        consultation,
        facial,
        review,
    }
}

pub async fn clinic() -> Clinic {
    clinic_with(json!([["00:00", "24:00"]]), "UTC").await
}

impl Clinic {
    pub async fn patient(&self, name: &str) -> String {
        self.app.create_patient(&self.desk, name, "Booker").await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn book(
        &self,
        patient: &str,
        practitioner: &str,
        service: &str,
        at: DateTime<Utc>,
    ) -> reqwest::Response {
        self.post_booking(patient, practitioner, service, at, None)
            .await
    }

    /// `book`, asking for this room.
    pub async fn book_in_room(
        &self,
        patient: &str,
        practitioner: &str,
        service: &str,
        at: DateTime<Utc>,
        room: &Value,
    ) -> reqwest::Response {
        self.post_booking(patient, practitioner, service, at, Some(room))
            .await
    }

    async fn post_booking(
        &self,
        patient: &str,
        practitioner: &str,
        service: &str,
        at: DateTime<Utc>,
        room: Option<&Value>,
    ) -> reqwest::Response {
        let mut body = json!({
            "patient_id": patient, "practitioner_id": practitioner, "service_id": service,
            "starts_at": at.to_rfc3339()});
        if let Some(room) = room {
            body["room_id"] = room.clone();
        }
        self.app
            .post(&self.desk, "/api/v1/appointments", &body)
            .await
    }

    pub async fn book_ok(
        &self,
        patient: &str,
        practitioner: &str,
        service: &str,
        at: DateTime<Utc>,
    ) -> Value {
        let r = self.book(patient, practitioner, service, at).await;
        assert_eq!(r.status(), 201, "booking at {at}");
        r.json().await.unwrap()
    }

    pub async fn act(&self, id: &str, action: &str) -> reqwest::Response {
        let body = if action == "cancel" {
            json!({"reason": "patient asked"})
        } else {
            json!({})
        };
        self.app
            .post(
                &self.desk,
                &format!("/api/v1/appointments/{id}/{action}"),
                &body,
            )
            .await
    }

    /// Moves an appointment (front desk), naming the version it moves (`If-Match`).
    pub async fn move_to(&self, id: &str, etag: &str, at: DateTime<Utc>) -> reqwest::Response {
        self.app
            .patch_if_match(
                &self.desk,
                &format!("/api/v1/appointments/{id}"),
                etag,
                &json!({"starts_at": at.to_rfc3339()}),
            )
            .await
    }

    /// Overlapping slot-holding pairs, straight from the database (must always be 0).
    pub async fn overlaps(&self) -> i64 {
        let sql = "SELECT COUNT(*) AS n FROM appointments a JOIN appointments b ON a.id < b.id \
            WHERE a.status NOT IN ('cancelled','no_show') AND b.status NOT IN ('cancelled','no_show') AND ( \
            (a.practitioner_id = b.practitioner_id AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until) OR \
            (a.room_id = b.room_id AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until) OR \
            (a.patient_id = b.patient_id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at))";
        self.app
            .with_db(move |conn| {
                use diesel::prelude::*;
                #[derive(QueryableByName)]
                struct N {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
            })
            .await
    }
}
