//! The Link Worker's day on the command line: `today`, `appointment`,
//! `follow-up` and `diary`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::common::{parse_date, today};
use crate::domain::appointment::{AppointmentKind, START_FORMAT, parse_start};
use crate::domain::nhs::format_digits;
use crate::formats::ical;
use crate::storage::appointments::{self, NewAppointment, Went, uk_now};
use crate::storage::{self, Store, follow_ups, today as agenda};

fn parse_kind(s: &str) -> Result<AppointmentKind, String> {
    AppointmentKind::parse(&s.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
}

fn parse_start_arg(s: &str) -> Result<chrono::NaiveDateTime, String> {
    parse_start(s)
}

#[derive(Debug, clap::Args)]
pub struct TodayArgs {
    /// The day [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    date: Option<chrono::NaiveDate>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AppointmentCommand {
    /// Book an appointment in the client's open episode; prints its id. A
    /// referral still being triaged becomes booked
    Add {
        /// The client: a client id or an NHS number (spaces allowed)
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: String,
        /// When, in UK time: "YYYY-MM-DD HH:MM"
        #[arg(long, value_name = "YYYY-MM-DD HH:MM", value_parser = parse_start_arg)]
        at: chrono::NaiveDateTime,
        /// How long [default: 30]
        #[arg(long, value_name = "N")]
        minutes: Option<i64>,
        /// phone, face_to_face, video, home_visit or group [default: phone]
        #[arg(long, value_parser = parse_kind)]
        kind: Option<AppointmentKind>,
        /// Where (a room, a place; for a home visit, leave it out or say which address)
        #[arg(long = "where", value_name = "TEXT")]
        place: Option<String>,
    },
    /// Move a booked appointment
    Move {
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, value_name = "YYYY-MM-DD HH:MM", value_parser = parse_start_arg)]
        at: chrono::NaiveDateTime,
        #[arg(long, value_name = "N")]
        minutes: Option<i64>,
    },
    /// Cancel a booked appointment
    Cancel {
        #[arg(value_name = "ID")]
        id: i64,
        /// Why (kept in the record)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// The person came: the appointment becomes a contact in the log
    Attended {
        #[arg(value_name = "ID")]
        id: i64,
        /// How long it took [default: as booked]
        #[arg(long, value_name = "N")]
        minutes: Option<i64>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// The person did not come: recorded as did-not-attend
    Missed {
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FollowUpCommand {
    /// Set the next follow-up of the client's open episode
    Set {
        #[arg(long, value_name = "ID|NHS_NUMBER")]
        client: String,
        /// The day it is due (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: chrono::NaiveDate,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct DiaryArgs {
    /// The first day [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<chrono::NaiveDate>,
    /// The last day [default: four weeks after the first]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<chrono::NaiveDate>,
    /// As an iCalendar file (RFC 5545) for Outlook and other calendars
    #[arg(long)]
    ics: bool,
    /// Full names, phone numbers and home addresses in the calendar (only for a
    /// calendar nobody else sees: shared and synced calendars get the first name
    /// and initial)
    #[arg(long)]
    full: bool,
    /// The file to write [default: standard output]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn today_agenda(store: &mut Store, args: TodayArgs) -> Result<ExitCode> {
    let date = args.date.unwrap_or_else(today);
    storage::prescriptions::mark_no_response(store, today())?;
    let a = agenda::agenda(store.conn(), date, uk_now())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Today, {}", date.format("%A %-d %B %Y"));
    if a.is_empty() {
        println!(
            "Nothing due: no appointments, follow-ups, overdue goals or first contacts, and every service has answered."
        );
    }
    for s in &a.sections {
        println!();
        println!("{} ({})", s.title, s.total);
        for i in &s.items {
            println!(
                "  {:<10} {} (NHS {}, client {}): {}",
                i.when,
                i.name,
                format_digits(&i.nhs_number),
                i.client_id,
                i.why
            );
        }
        if s.total > s.items.len() {
            println!("  ... and {} more", s.total - s.items.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn appointment(store: &mut Store, command: AppointmentCommand) -> Result<ExitCode> {
    let now = uk_now();
    match command {
        AppointmentCommand::Add { client, at, minutes, kind, place } => {
            let who = storage::client::resolve(store.conn(), &client)?;
            let mut a = NewAppointment::at(at);
            if let Some(m) = minutes {
                a.minutes = m;
            }
            if let Some(k) = kind {
                a.kind = k;
            }
            a.place = place;
            let booked = appointments::book(store, who.id, &a, now).context("appointment not booked")?;
            let step = booked.status.map(|(f, t)| format!(" (referral {} {f} → {t})", booked.referral_id));
            eprintln!(
                "linkwork: appointment {} booked for {}: {} min, {}{}",
                booked.appointment_id,
                who.describe(),
                a.minutes,
                a.kind.label(),
                step.unwrap_or_default()
            );
            println!("{}", booked.appointment_id);
        }
        AppointmentCommand::Move { id, at, minutes } => {
            let a = appointments::move_to(store, id, at, minutes, now).context("appointment not moved")?;
            println!("appointment {id} of {} moved to {}", a.name, a.when_and_how());
        }
        AppointmentCommand::Cancel { id, reason } => {
            let a = appointments::cancel(store, id, reason.as_deref()).context("appointment not cancelled")?;
            println!("appointment {id} of {} for {} cancelled", a.name, a.start.format(START_FORMAT));
        }
        AppointmentCommand::Attended { id, minutes, note } => {
            let c = appointments::record_outcome(store, id, Went::Attended, minutes, note.as_deref(), now)
                .context("not recorded")?;
            println!("appointment {id} attended: contact {c} logged");
        }
        AppointmentCommand::Missed { id, note } => {
            let c = appointments::record_outcome(store, id, Went::Missed, None, note.as_deref(), now)
                .context("not recorded")?;
            println!("appointment {id} missed: did-not-attend logged (contact {c})");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn follow_up(store: &mut Store, command: FollowUpCommand) -> Result<ExitCode> {
    let FollowUpCommand::Set { client, on, note } = command;
    let who = storage::client::resolve(store.conn(), &client)?;
    let set = follow_ups::set(store, who.id, on, note.as_deref(), today()).context("follow-up not set")?;
    println!(
        "follow-up for {} set for {on}{}",
        who.describe(),
        set.previous.map(|p| format!(" (was {p})")).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn diary(store: &mut Store, args: DiaryArgs) -> Result<ExitCode> {
    let from = args.from.unwrap_or_else(today);
    let to = args.to.unwrap_or(from + chrono::Duration::days(27));
    if to < from {
        anyhow::bail!("--to {to} is before --from {from}");
    }
    if (to - from).num_days() > 366 {
        anyhow::bail!("a diary covers at most a year; ask for a shorter period");
    }
    let list = appointments::mine_between(store.conn(), from, to)?;
    if args.ics {
        let detail = if args.full { ical::Detail::Full } else { ical::Detail::Least };
        // Unique to this database and stable: the start of its audit trail.
        let first: Option<String> = rusqlite::OptionalExtension::optional(store.conn().query_row(
            "SELECT hash FROM audit_log WHERE id = 1",
            [],
            |r| r.get(0),
        ))?;
        let domain = format!("{}.linkwork", first.as_deref().and_then(|h| h.get(..16)).unwrap_or("local"));
        let text = ical::calendar(&list, detail, chrono::Utc::now(), &domain);
        match args.out {
            Some(path) => {
                storage::write_private(&path, text.as_bytes())?;
                eprintln!("linkwork: {}: {} appointments from {from} to {to}", path.display(), list.len());
            }
            None => super::output::out_crlf(&text),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no appointments from {from} to {to}");
    }
    for a in &list {
        let who = if args.full { a.name.clone() } else { crate::domain::appointment::first_name_and_initial(&a.name) };
        println!("{:>5}  {}  {} (client {}) [{}]", a.id, a.when_and_how(), who, a.client_id, a.status.label());
    }
    Ok(ExitCode::SUCCESS)
}
