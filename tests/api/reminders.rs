//! Reminder emails over a real SMTP conversation with a listener on loopback.
use std::time::Duration as StdDuration;

use serde_json::json;

use crate::helpers::clinic::{clinic_with_settings, monday};
use crate::helpers::mail::{smtp_sink, wait_for};

#[tokio::test]
async fn a_due_reminder_is_emailed_once_with_no_clinical_detail_and_a_cancelled_one_never() {
    let sink = smtp_sink(0).await;
    let port = sink.port;
    let c = clinic_with_settings(json!([["00:00", "24:00"]]), move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.reminder_poll_ms = 100;
        // Times in the email are clinic-local: UTC keeps "10:00" true in summer time too.
        s.clinic_timezone = chrono_tz::Tz::UTC;
        // Due at once: the reminder goes out 30 days before.
        s.reminder_lead_minutes = 60 * 24 * 30;
    })
    .await;
    let p = c.patient("Ada").await;
    let q = c.patient("Bea").await;
    let a = c.app.post(&c.desk, "/api/v1/appointments", &json!({"patient_id": p, "practitioner_id": c.practitioners[0],
        "service_id": c.facial, "starts_at": monday(1, 10, 0).to_rfc3339(), "notes": "botox follow-up secret"})).await;
    assert_eq!(a.status(), 201);
    let b = c
        .book_ok(&q, &c.practitioners[1], &c.consultation, monday(1, 10, 0))
        .await;
    // Cancelled straight away: its reminder must never go (it may race the first round).
    c.act(b["id"].as_str().unwrap(), "cancel").await;
    wait_for(&sink.messages, 1).await;
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    let messages = sink.messages.lock().unwrap().clone();
    let to_ada: Vec<&String> = messages
        .iter()
        .filter(|m| m.contains("ada.booker@example.org"))
        .collect();
    assert_eq!(to_ada.len(), 1, "exactly once: {messages:?}");
    let text = to_ada[0];
    assert!(text.contains("Dr Lee"), "{text}");
    assert!(text.contains("10:00"), "{text}");
    assert!(text.contains("Harley Street"), "{text}");
    for leak in ["Stem cell", "facial", "botox", "secret"] {
        assert!(
            !text.to_lowercase().contains(&leak.to_lowercase()),
            "{leak} in {text}"
        );
    }
    // The cancelled appointment's reminder: settle any send in flight, then look.
    let bea_id: dermachart::db::types::AppointmentId = b["id"].as_str().unwrap().parse().unwrap();
    let find = move |conn: &mut dermachart::db::DbConnection| {
        dermachart::db::models::reminders::find_for(conn, bea_id)
            .unwrap()
            .unwrap()
    };
    let mut bea_reminder = c.app.with_db(find).await;
    for _ in 0..50 {
        if bea_reminder.status != "sending" {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        bea_reminder = c.app.with_db(find).await;
    }
    let sent_to_bea = sink
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.contains("bea.booker@example.org"))
        .count();
    // Either it was cancelled before the worker reached it, or (racing) it went before the cancel.
    assert!(
        sent_to_bea == 0 && bea_reminder.status == "cancelled"
            || sent_to_bea == 1 && bea_reminder.status == "sent"
    );
}

#[tokio::test]
async fn a_refused_delivery_is_retried_later_not_lost() {
    let sink = smtp_sink(1).await;
    let port = sink.port;
    let c = clinic_with_settings(json!([["00:00", "24:00"]]), move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.reminder_poll_ms = 100;
        // Times in the email are clinic-local: UTC keeps "10:00" true in summer time too.
        s.clinic_timezone = chrono_tz::Tz::UTC;
        s.reminder_lead_minutes = 60 * 24 * 30;
    })
    .await;
    let p = c.patient("Ada").await;
    let a = c
        .book_ok(&p, &c.practitioners[0], &c.consultation, monday(1, 10, 0))
        .await;
    let id: dermachart::db::types::AppointmentId = a["id"].as_str().unwrap().parse().unwrap();
    let mut row = None;
    for _ in 0..50 {
        let r = c
            .app
            .with_db(move |conn| {
                dermachart::db::models::reminders::find_for(conn, id)
                    .unwrap()
                    .unwrap()
            })
            .await;
        if r.attempts >= 1 {
            row = Some(r);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    let row = row.expect("a failed attempt is recorded");
    assert_eq!(row.status, "pending");
    assert!(
        row.next_attempt_at > dermachart::db::now(),
        "backs off before retrying"
    );
    assert!(sink.messages.lock().unwrap().is_empty());
    // Make it due again: the retry goes through.
    c.app
        .with_db(move |conn| {
            use dermachart::db::schema::reminders;
            use diesel::prelude::*;
            let n = diesel::update(reminders::table.filter(reminders::appointment_id.eq(id)))
                .set(reminders::next_attempt_at.eq(dermachart::db::now()))
                .execute(conn)
                .unwrap();
            assert_eq!(n, 1);
        })
        .await;
    wait_for(&sink.messages, 1).await;
    // The row is marked sent just after the server's 250: give the worker that moment.
    let mut after = None;
    for _ in 0..50 {
        let r = c
            .app
            .with_db(move |conn| {
                dermachart::db::models::reminders::find_for(conn, id)
                    .unwrap()
                    .unwrap()
            })
            .await;
        let done = r.status != "sending";
        after = Some(r);
        if done {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    let after = after.unwrap();
    assert_eq!(sink.messages.lock().unwrap().len(), 1, "{after:?}");
    assert_eq!(after.status, "sent");
}
