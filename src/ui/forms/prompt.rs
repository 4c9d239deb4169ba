//! One-line prompts: a line of text for a triage decision, an unmet need, a
//! service's capacity or waiting list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{LineInput, State};
use crate::ui::text::{fit, truncate, truncate_left, width};

/// What a one-line prompt asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    DeclineReason,
    TransferTo,
    BookOn,
    /// "CODE what was needed": a need no local service meets.
    UnmetNeed,
    /// Why a service declined a prescription (the subject is the prescription).
    ServiceDeclined,
    /// A service's capacity, e.g. "12 a month" (the subject is the service).
    Capacity,
    /// How many are on a service's waiting list.
    WaitingList,
    /// The next follow-up: "YYYY-MM-DD note" (the subject is the client).
    FollowUpOn,
    /// An appointment from the record: "YYYY-MM-DD HH:MM [minutes] [kind]" (the subject is the client).
    BookAppointment,
    /// An appointment moved: "YYYY-MM-DD HH:MM" (the subject is the appointment).
    MoveAppointment,
    /// Why a safeguarding concern is closed (the subject is the concern).
    CloseConcern,
    /// Why an appointment is cancelled (the subject is the appointment).
    CancelAppointment,
    /// The directory: only services open on this day of the week.
    OpenOn,
    /// The directory: only services in this postcode district or area.
    District,
    /// The person was reached: a note of what was said (optional).
    ReachedNote,
}

impl Ask {
    pub fn title(self) -> &'static str {
        match self {
            Ask::DeclineReason => "Declined: why?",
            Ask::TransferTo => "Transfer to",
            Ask::BookOn => "First appointment: YYYY-MM-DD HH:MM (minutes, kind, at place)",
            Ask::UnmetNeed => "No local service: need code, then what was needed",
            Ask::ServiceDeclined => "The service declined: why?",
            Ask::Capacity => "Places: N a week, month, quarter or year (blank: unknown)",
            Ask::WaitingList => "People on the waiting list (blank: unknown)",
            Ask::FollowUpOn => "Next follow-up: YYYY-MM-DD, then a note if you like",
            Ask::BookAppointment => "Appointment: YYYY-MM-DD HH:MM (minutes, kind, at place)",
            Ask::MoveAppointment => "Move the appointment to: YYYY-MM-DD HH:MM",
            Ask::CloseConcern => "Close the safeguarding concern: what was done?",
            Ask::CancelAppointment => "Cancel the appointment: why? (Esc keeps it)",
            Ask::OpenOn => "Open on which day? (mon, tue... blank: any day)",
            Ask::District => "In which postcode district or area? (LS6, LS; blank: anywhere)",
            Ask::ReachedNote => "Reached: a note of what was said (optional)",
        }
    }
}

/// Read a booking as typed: "YYYY-MM-DD HH:MM", then optionally a length in
/// minutes and a kind, in any order, and "at" a place
/// ("2026-11-26 10:30 45 face to face at Surgery, room 2").
pub fn parse_booking(text: &str) -> Result<crate::storage::appointments::NewAppointment, String> {
    use crate::domain::appointment::{AppointmentKind, parse_start};
    let (text, place) = match text.split_once(" at ") {
        Some((before, place)) => (before, Some(place.trim().to_owned()).filter(|p| !p.is_empty())),
        None => (text, None),
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 2 {
        return Err(format!("'{}' is not a date and time; expected YYYY-MM-DD HH:MM", text.trim()));
    }
    let start = parse_start(&format!("{} {}", words[0], words[1]))?;
    let mut a = crate::storage::appointments::NewAppointment::at(start);
    let mut kind_words = Vec::new();
    for w in &words[2..] {
        match w.parse::<i64>() {
            Ok(m) => a.minutes = m,
            Err(_) => kind_words.push(w.to_ascii_lowercase()),
        }
    }
    if !kind_words.is_empty() {
        a.kind = AppointmentKind::parse(&kind_words.join("_").replace('-', "_"))?;
    }
    a.place = place;
    Ok(a)
}

/// Read "12 a month", "12 per week", "12 month" or blank (unknown) as a capacity.
pub fn parse_capacity(text: &str) -> Result<Option<(i64, String)>, String> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> =
        words.iter().map(String::as_str).filter(|w| !matches!(*w, "a" | "an" | "per" | "each")).collect();
    match words.as_slice() {
        [] | ["none"] => Ok(None),
        [n, per] => {
            let n: i64 = n.parse().map_err(|_| format!("'{n}' is not a number of places"))?;
            let per = per.trim_end_matches('s');
            if n < 0 || !["week", "month", "quarter", "year"].contains(&per) {
                return Err("expected places and a period, e.g. 12 a month".to_owned());
            }
            Ok(Some((n, per.to_owned())))
        }
        _ => Err("expected places and a period, e.g. 12 a month".to_owned()),
    }
}

pub fn draw_prompt(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    ask: Ask,
    who: &str,
    input: &LineInput,
    error: Option<&str>,
) {
    let t = &state.theme;
    let rect = centred(area, 64, 8);
    clear_popup(frame, rect);
    let block = popup_block(state, ask.title());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let field_w = usize::from(inner.width).saturating_sub(2);
    let shown = truncate_left(&input.text, field_w.saturating_sub(1));
    let lines = vec![
        Line::from(Span::styled(truncate(who, usize::from(inner.width)), t.header())),
        Line::from(""),
        Line::from(vec![Span::raw("> "), Span::styled(fit(&shown, field_w), Style::new().underlined())]),
        Line::from(Span::styled(truncate(error.unwrap_or(""), usize::from(inner.width)), t.error())),
        Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw(" save   "),
            Span::styled("Esc", t.key()),
            Span::raw(" cancel"),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    let x = inner.x + 2 + width(&truncate_left(input.before_cursor(), field_w.saturating_sub(1))) as u16;
    frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), inner.y + 2));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::AppointmentKind;

    #[test]
    fn a_booking_reads_time_length_kind_and_place() {
        let a = parse_booking("2026-11-26 10:30 45 face to face at Surgery, room 2").unwrap();
        assert_eq!(a.start.format("%Y-%m-%d %H:%M").to_string(), "2026-11-26 10:30");
        assert_eq!((a.minutes, a.kind, a.place.as_deref()), (45, AppointmentKind::FaceToFace, Some("Surgery, room 2")));
        let b = parse_booking("2026-11-26 10:30").unwrap();
        assert_eq!((b.minutes, b.kind, b.place), (30, AppointmentKind::Phone, None));
        assert!(parse_booking("2026-11-26").is_err());
        assert!(parse_booking("2026-11-26 10:30 by pigeon").unwrap_err().contains("kind"));
    }
}
