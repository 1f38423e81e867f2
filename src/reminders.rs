//! The reminder worker: sends each due reminder by email over SMTP, once.
//!
//! A reminder is claimed (`pending → sending`, guarded by its state) before it is
//! sent and marked `sent` after, so two workers never send the same one. A worker
//! that dies between sending and marking leaves a claim that expires and is sent
//! again: delivery is exactly once except across that crash, where it is at least once.
use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use crate::db::models::reminders::{self, ReminderRow};
use crate::db::models::{appointments, clinic, patients, queue};
use crate::db::{DbConnection, DbPool};
use crate::domain::schedule::AppointmentStatus;

const BATCH: i64 = 20;
const MAX_ATTEMPTS: i32 = 8;
const CLAIM_FOR_MINUTES: i64 = 10;

/// What an email needs; no service name and no clinical detail (SPEC §6 "Leaving the clinic").
#[derive(Debug)]
struct Outgoing {
    reminder: ReminderRow,
    to: String,
    subject: String,
    body: String,
}

enum Prepared {
    Send(Box<Outgoing>),
    Skip,
    Fail(ReminderRow, &'static str),
}

fn prepare(
    conn: &mut DbConnection,
    tz: chrono_tz::Tz,
    reminder: ReminderRow,
) -> anyhow::Result<Prepared> {
    let Some(appt) = appointments::find(conn, reminder.appointment_id)? else {
        return Ok(Prepared::Skip);
    };
    if !matches!(
        appt.status,
        AppointmentStatus::Booked | AppointmentStatus::Confirmed
    ) {
        reminders::mark_cancelled(conn, reminder.id)?;
        return Ok(Prepared::Skip);
    }
    let Some(email) = patients::find(conn, appt.patient_id)?.and_then(|p| p.email) else {
        return Ok(Prepared::Fail(reminder, "the patient has no email on file"));
    };
    let practitioner = clinic::find_practitioner(conn, appt.practitioner_id)?
        .map_or_else(|| "your practitioner".to_owned(), |p| p.display_name);
    let place = match appt
        .room_id
        .and_then(|r| clinic::find_room(conn, r).ok().flatten())
    {
        Some(room) => clinic::find_location(conn, room.location_id)?.map(|l| match l.address {
            Some(a) => format!("{}, {a}", l.name),
            None => l.name,
        }),
        None => None,
    }
    .unwrap_or_else(|| "the clinic".to_owned());
    let local = crate::api::instant(appt.starts_at).with_timezone(&tz);
    let when = local.format("%A %-d %B %Y at %H:%M").to_string();
    Ok(Prepared::Send(Box::new(Outgoing {
        reminder,
        to: email,
        subject: "Your appointment reminder".to_owned(),
        body: format!(
            "This is a reminder of your appointment on {when} ({tz}) with {practitioner} at {place}.\n\n\
             If you cannot come, please let the clinic know.\n"
        ),
    })))
}

/// Sends what is due; returns how many were sent.
pub async fn run_once(
    pool: &DbPool,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    tz: chrono_tz::Tz,
) -> anyhow::Result<usize> {
    let p = pool.clone();
    let claimed: Vec<Prepared> =
        tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Prepared>> {
            let mut conn = p.get()?;
            let now = crate::db::now();
            let due = reminders::due(&mut conn, now, BATCH)?;
            let until = now + Duration::minutes(CLAIM_FOR_MINUTES);
            let won = queue::claim_each(&mut conn, due, now, until, reminders::claim)?;
            won.into_iter()
                .map(|row| prepare(&mut conn, tz, row))
                .collect()
        })
        .await??;
    let mut sent = 0;
    for item in claimed {
        let outcome: Result<ReminderRow, (ReminderRow, String)> = match item {
            Prepared::Skip => continue,
            Prepared::Fail(row, why) => Err((row, why.to_owned())),
            Prepared::Send(out) => {
                match crate::outbox::deliver(mailer, from, &out.to, &out.subject, &out.body).await {
                    Ok(()) => Ok(out.reminder),
                    Err(e) => Err((out.reminder, e)),
                }
            }
        };
        let p = pool.clone();
        let was_sent = outcome.is_ok();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = p.get()?;
            let now = crate::db::now();
            match outcome {
                Ok(row) => {
                    reminders::mark_sent(&mut conn, row.id, now)?;
                }
                Err((row, error)) => {
                    let backoff = crate::outbox::backoff(row.attempts);
                    tracing::warn!(reminder = %row.id, attempts = row.attempts + 1, "reminder not sent");
                    reminders::mark_failed(&mut conn, &row, &error, now + backoff, MAX_ATTEMPTS)?;
                }
            }
            Ok(())
        })
        .await??;
        if was_sent {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Starts the worker (reminders and the email outbox) when SMTP is configured.
pub fn start(
    pool: DbPool,
    settings: &crate::config::Settings,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(url) = settings.smtp_url.clone() else {
        return Ok(None);
    };
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)?
        .timeout(Some(StdDuration::from_secs(10)))
        .build();
    let from: Mailbox = settings.smtp_from.parse()?;
    let tz = settings.clinic_timezone;
    let every = StdDuration::from_millis(settings.reminder_poll_ms.max(50));
    let mut woken = crate::outbox::wake_receiver();
    if matches!(
        crate::db::Backend::of_url(&settings.database.database_url),
        Ok(crate::db::Backend::Postgres)
    ) {
        crate::outbox::listen_postgres(settings.database.database_url.clone());
    }
    Ok(Some(tokio::spawn(async move {
        loop {
            if let Err(e) = run_once(&pool, &mailer, &from, tz).await {
                crate::db::observe_failure(&e);
                tracing::warn!(error = %e, "reminder round failed");
            }
            if let Err(e) = crate::outbox::run_once(&pool, &mailer, &from).await {
                crate::db::observe_failure(&e);
                tracing::warn!(error = %e, "email outbox round failed");
            }
            // The next round comes with the poll, or sooner when an email is queued.
            let _ = tokio::time::timeout(every, woken.changed()).await;
        }
    })))
}
