//! Forms and prompts: the new-referral form, one-line prompts and numbered
//! choices. Their state is plain data; `app.rs` changes it, the draw functions
//! here only read it.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::draw::{centred, clear_popup, popup_block};
use super::state::{LineInput, State};
use super::text::{fit, truncate, truncate_left, width, wrap};
use crate::domain::intake::{IntakeErrors, ReferralInput};
use crate::domain::referral::Outcome;
use crate::domain::triage::Attempt;

/// The next field `delta` steps on, round the end: the focus of every form.
pub fn cycle(focus: usize, fields: usize, delta: isize) -> usize {
    (focus as isize + delta).rem_euclid(fields.max(1) as isize) as usize
}

/// A form of one-line fields: the focus moves round them and typing goes to the
/// field in focus. Every form but the assessment is one.
pub trait LineForm {
    /// The fields and the index of the one in focus.
    fn parts(&mut self) -> (&mut [LineInput], &mut usize);

    /// Forget the last refusal (the person is changing what was refused).
    fn clear_error(&mut self) {}

    fn move_focus(&mut self, delta: isize) {
        let (fields, focus) = self.parts();
        *focus = cycle(*focus, fields.len(), delta);
    }

    /// Type a key into the field in focus; true if its text changed.
    fn edit(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
        self.clear_error();
        let (fields, focus) = self.parts();
        fields[*focus].edit(key)
    }
}

macro_rules! line_form {
    ($($form:ty),+) => {$(
        impl LineForm for $form {
            fn parts(&mut self) -> (&mut [LineInput], &mut usize) {
                (&mut self.fields, &mut self.focus)
            }
            fn clear_error(&mut self) {
                self.error = None;
            }
        }
    )+};
}

line_form!(MeasureForm, ContactForm, GoalForm, PrescribeForm, SummaryForm);

impl LineForm for ReferralForm {
    fn parts(&mut self) -> (&mut [LineInput], &mut usize) {
        (&mut self.fields, &mut self.focus)
    }
}

/// The keys line at the foot of every one-line-field form.
fn form_keys(t: &super::theme::Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("Tab/↓ ↑", t.key()),
        Span::raw(" field  "),
        Span::styled("Enter", t.key()),
        Span::raw(" save  "),
        Span::styled("Esc", t.key()),
        Span::raw(" cancel"),
    ])
}

/// The fields of the new-referral form, in order: (label, the error's field name, width limit).
pub const REFERRAL_FIELDS: [(&str, &str, usize); 11] = [
    ("NHS number", "NHS number", 16),
    ("Name", "name", 200),
    ("Date of birth", "date of birth", 10),
    ("Reasons", "reason", 300),
    ("Received", "received", 10),
    ("Referrer role", "referrer role", 20),
    ("Referrer", "referrer", 200),
    ("Priority", "priority", 10),
    ("Phone", "phone", 20),
    ("Postcode", "postcode", 10),
    ("Notes", "notes", 2000),
];

#[derive(Clone, Debug, PartialEq)]
pub struct ReferralForm {
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub errors: Option<IntakeErrors>,
    /// The reason codes kept in the database, shown beside the field.
    pub reason_codes: Vec<String>,
    /// Who is on file for the NHS number typed, when the name and date of birth
    /// differ: the question asked before the referral joins them.
    pub on_file: Option<String>,
    /// The worker said it is the same person.
    pub same_person: bool,
}

impl ReferralForm {
    pub fn new(reason_codes: Vec<String>, today: NaiveDate) -> Self {
        let mut fields: Vec<LineInput> = REFERRAL_FIELDS.iter().map(|(_, _, max)| LineInput::new(*max)).collect();
        fields[4].text = today.to_string();
        fields[4].cursor = fields[4].text.chars().count();
        fields[7].text = "routine".to_owned();
        fields[7].cursor = 7;
        ReferralForm { fields, focus: 0, errors: None, reason_codes, on_file: None, same_person: false }
    }

    /// Has the person typed anything that would be lost?
    pub fn is_dirty(&self) -> bool {
        [0, 1, 2, 3, 5, 6, 8, 9, 10].iter().any(|&i| !self.fields[i].text.trim().is_empty())
    }

    pub fn input(&self) -> ReferralInput {
        let f = |i: usize| self.fields[i].text.clone();
        ReferralInput {
            nhs_number: f(0),
            name: f(1),
            date_of_birth: f(2),
            reasons: f(3),
            received: f(4),
            referrer_role: f(5),
            referrer_name: f(6),
            priority: f(7),
            phone: f(8),
            postcode: f(9),
            notes: f(10),
            practice: String::new(),
        }
    }

    /// Put the cursor on the first field with a problem.
    pub fn focus_first_error(&mut self) {
        if let Some(errors) = &self.errors
            && let Some(i) = REFERRAL_FIELDS.iter().position(|(_, name, _)| errors.for_field(name).is_some())
        {
            self.focus = i;
        }
    }
}

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
}

impl Ask {
    pub fn title(self) -> &'static str {
        match self {
            Ask::DeclineReason => "Declined: why?",
            Ask::TransferTo => "Transfer to",
            Ask::BookOn => "First appointment on (YYYY-MM-DD)",
            Ask::UnmetNeed => "No local service: need code, then what was needed",
            Ask::ServiceDeclined => "The service declined: why?",
            Ask::Capacity => "Places: N a week, month, quarter or year (blank: unknown)",
            Ask::WaitingList => "People on the waiting list (blank: unknown)",
        }
    }
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

/// What a numbered choice chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choose {
    Attempt,
    Outcome,
    /// Which wellbeing measure to record.
    Instrument,
}

/// Outcomes a worker closes an episode with from the caseload.
pub const CLOSE_OUTCOMES: [Outcome; 3] = [Outcome::Completed, Outcome::Disengaged, Outcome::Other];

impl Choose {
    pub fn title(self) -> &'static str {
        match self {
            Choose::Attempt => "Contact attempt: how did it go?",
            Choose::Outcome => "Close the episode: outcome",
            Choose::Instrument => "Record a wellbeing measure",
        }
    }

    pub fn options(self) -> Vec<&'static str> {
        match self {
            Choose::Attempt => Attempt::ALL.iter().map(|a| a.label()).collect(),
            Choose::Outcome => CLOSE_OUTCOMES.iter().map(|o| o.label()).collect(),
            Choose::Instrument => vec![
                "ONS4 personal wellbeing (4 items, 0-10)",
                "SWEMWBS (7 items, 1-5)",
                "UCLA-3 loneliness (3 items, 1-3)",
            ],
        }
    }
}

pub fn draw_referral_form(frame: &mut Frame, area: Rect, state: &State, form: &ReferralForm) {
    let t = &state.theme;
    let rect = centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 76, 22);
    clear_popup(frame, rect);
    let block = popup_block(state, "New referral");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let label_w = 15usize;
    let field_w = usize::from(inner.width).saturating_sub(label_w + 2);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, ((label, name, _), input)) in REFERRAL_FIELDS.iter().zip(&form.fields).enumerate() {
        let focused = i == form.focus;
        let error = form.errors.as_ref().and_then(|e| e.for_field(name)).is_some();
        let mark = if error {
            "!"
        } else if focused {
            "▶"
        } else {
            " "
        };
        let shown = if focused {
            truncate_left(&input.text, field_w.saturating_sub(1))
        } else {
            truncate(&input.text, field_w)
        };
        let style = if focused { Style::new().underlined() } else { t.base() };
        lines.push(Line::from(vec![
            Span::styled(mark.to_owned(), if error { t.error() } else { t.key() }),
            Span::styled(format!("{} ", fit(label, label_w)), if focused { t.header() } else { t.base() }),
            Span::styled(fit(&shown, field_w), style),
        ]));
        if focused {
            let before = truncate_left(input.before_cursor(), field_w.saturating_sub(1));
            cursor = Some((inner.x + 1 + label_w as u16 + 1 + width(&before) as u16, inner.y + i as u16));
        }
    }
    lines.push(Line::from(""));
    let hint = match form.focus {
        3 => format!("reasons, ; between: {}", form.reason_codes.join(" ")),
        5 => "gp nurse pharmacist practice_staff self vcso hospital other".to_owned(),
        7 => "routine soon urgent".to_owned(),
        2 | 4 => "YYYY-MM-DD".to_owned(),
        0 => "10 digits, spaces allowed".to_owned(),
        _ => String::new(),
    };
    for l in wrap(&hint, usize::from(inner.width)).into_iter().take(3) {
        lines.push(Line::from(Span::styled(l, t.dim())));
    }
    if let Some(errors) = &form.errors {
        for e in &errors.0 {
            for l in wrap(&e.to_string(), usize::from(inner.width)) {
                lines.push(Line::from(Span::styled(l, t.error())));
            }
        }
    }
    let footer = form_keys(t);
    let rows = usize::from(inner.height).saturating_sub(1);
    lines.truncate(rows);
    while lines.len() < rows {
        lines.push(Line::from(""));
    }
    lines.push(footer);
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
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

pub fn draw_choice(frame: &mut Frame, area: Rect, state: &State, choose: Choose, who: &str) {
    let t = &state.theme;
    let options = choose.options();
    let rect = centred(area, 56, options.len() as u16 + 6);
    clear_popup(frame, rect);
    let block = popup_block(state, choose.title());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut lines = vec![Line::from(Span::styled(truncate(who, usize::from(inner.width)), t.header())), Line::from("")];
    for (i, o) in options.iter().enumerate() {
        lines.push(Line::from(vec![Span::styled(format!(" {} ", i + 1), t.key()), Span::raw(*o)]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![Span::styled("Esc", t.key()), Span::raw(" cancel")]));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A message in full, wrapped to the popup's width.
pub fn draw_notice(frame: &mut Frame, area: Rect, state: &State, title: &str, text: &str, keys: &[(&str, &str)]) {
    let t = &state.theme;
    let w = area.width.saturating_sub(4).min(72);
    let body: Vec<String> = text.split('\n').flat_map(|p| wrap(p, usize::from(w.saturating_sub(2)))).collect();
    let rect = centred(area, w, (body.len() as u16 + 4).min(area.height.saturating_sub(2)));
    clear_popup(frame, rect);
    let block = popup_block(state, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let rows = usize::from(inner.height).saturating_sub(2);
    let mut lines: Vec<Line> = body.into_iter().take(rows).map(Line::from).collect();
    lines.push(Line::from(""));
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(key.to_string(), t.key()));
        spans.push(Span::raw(format!(" {what}   ")));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn draw_unmet(frame: &mut Frame, area: Rect, state: &State, rows: &[crate::storage::directory::UnmetCount]) {
    let t = &state.theme;
    let rect =
        centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 64, rows.len() as u16 + 5);
    clear_popup(frame, rect);
    let block = popup_block(state, "Unmet needs by code");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let mut lines =
        vec![Line::from(Span::styled(format!("{:>6}  {} ", "count", fit("need", 26)) + "latest", t.header()))];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled("None recorded. m on a client or a service records one.", t.dim())));
    }
    for r in rows {
        lines.push(Line::from(truncate(&format!("{:>6}  {} {}", r.count, fit(&r.label, 26), r.latest), w)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![Span::styled("Esc", t.key()), Span::raw(" close")]));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The form for one wellbeing measure: a field per item, then the date, and
/// whether it is the baseline or a follow-up.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureForm {
    pub client_id: i64,
    pub instrument: crate::domain::referral::Instrument,
    /// One per item, then the date.
    pub fields: Vec<LineInput>,
    pub follow_up: bool,
    pub focus: usize,
    /// The refusal of the last save, if any.
    pub error: Option<String>,
}

impl MeasureForm {
    pub fn new(
        client_id: i64,
        instrument: crate::domain::referral::Instrument,
        follow_up: bool,
        today: NaiveDate,
    ) -> Self {
        let n = crate::domain::measures::item_labels(instrument).len();
        let mut fields: Vec<LineInput> = (0..n).map(|_| LineInput::new(2)).collect();
        let mut date = LineInput::new(10);
        date.text = today.to_string();
        date.cursor = 10;
        fields.push(date);
        MeasureForm { client_id, instrument, fields, follow_up, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields[..self.fields.len() - 1].iter().any(|f| !f.text.trim().is_empty())
    }

    /// The items as typed: empty is unanswered, anything else must be a number.
    pub fn items(&self) -> Result<Vec<Option<i64>>, String> {
        let n = self.fields.len() - 1;
        let text: Vec<&str> = self.fields[..n].iter().map(|f| f.text.as_str()).collect();
        crate::domain::measures::parse_items(self.instrument, &text.join(","))
    }

    /// What is wrong with the item being typed, as soon as it is typed.
    pub fn item_problem(&self, i: usize) -> Option<String> {
        let f = self.fields.get(i)?;
        if i + 1 == self.fields.len() || f.text.trim().is_empty() {
            return None;
        }
        let (lo, hi) = crate::domain::measures::item_range(self.instrument);
        match f.text.trim().parse::<i64>() {
            Ok(v) if (i64::from(lo)..=i64::from(hi)).contains(&v) => None,
            _ => Some(format!("{} to {}", lo, hi)),
        }
    }
}

pub fn draw_measure_form(frame: &mut Frame, area: Rect, state: &State, form: &MeasureForm) {
    let t = &state.theme;
    let labels = crate::domain::measures::item_labels(form.instrument);
    let rect =
        centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 64, labels.len() as u16 + 9);
    clear_popup(frame, rect);
    let title = format!("{} {}", form.instrument.label(), if form.follow_up { "follow-up" } else { "baseline" });
    let block = popup_block(state, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let (lo, hi) = crate::domain::measures::item_range(form.instrument);
    let mut lines = vec![Line::from(Span::styled(format!("Each item {lo} to {hi}."), t.dim()))];
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let label = labels.get(i).map_or("Date (YYYY-MM-DD)".to_owned(), |l| format!("{}. {l}", i + 1));
        let focused = i == form.focus;
        let problem = form.item_problem(i);
        let mark = if problem.is_some() {
            "!"
        } else if focused {
            "▶"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(mark.to_owned(), if problem.is_some() { t.error() } else { t.key() }),
            Span::raw(format!("{} ", fit(&label, 26))),
            Span::styled(fit(&f.text, 10), if focused { Style::new().underlined() } else { t.base() }),
        ];
        if let Some(p) = problem {
            spans.push(Span::styled(format!(" expected {p}"), t.error()));
        }
        if focused {
            cursor = Some((inner.x + 28 + width(f.before_cursor()) as u16, inner.y + 1 + i as u16));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        truncate(form.error.as_deref().unwrap_or(""), usize::from(inner.width)),
        t.error(),
    )));
    lines.push(form_keys(t));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}

/// The fields of the contact form: (label, hint).
pub const CONTACT_FIELDS: [(&str, &str); 5] = [
    ("Kind", "phone, face_to_face, video, home_visit, group, text, email, letter"),
    ("Date", "YYYY-MM-DD"),
    ("Minutes", "how long, in minutes (optional)"),
    ("Attended", "y, or n if the person did not attend"),
    ("Note", "what happened (optional)"),
];

/// A contact or session for the client on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactForm {
    pub client_id: i64,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl ContactForm {
    pub fn new(client_id: i64, today: NaiveDate) -> Self {
        let mut fields: Vec<LineInput> =
            [20, 10, 4, 1, crate::storage::contacts::NOTE_MAX].iter().map(|m| LineInput::new(*m)).collect();
        for (i, text) in [(0, "face_to_face".to_owned()), (1, today.to_string()), (3, "y".to_owned())] {
            fields[i].text = text;
            fields[i].cursor = fields[i].text.chars().count();
        }
        ContactForm { client_id, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        !self.fields[2].text.trim().is_empty() || !self.fields[4].text.trim().is_empty()
    }

    /// The contact, or what is wrong with the field that is wrong.
    pub fn contact(&self) -> Result<crate::storage::contacts::NewContact, String> {
        let kind =
            crate::domain::referral::ContactKind::parse(&self.fields[0].text.trim().to_lowercase().replace(' ', "_"))?;
        let on = crate::domain::intake::parse_date("date", &self.fields[1].text).map_err(|e| e.to_string())?;
        let minutes = match self.fields[2].text.trim() {
            "" => None,
            m => Some(m.parse::<i64>().map_err(|_| format!("minutes: '{m}' is not a whole number"))?),
        };
        let did_not_attend = match self.fields[3].text.trim().to_lowercase().as_str() {
            "y" | "yes" | "" => false,
            "n" | "no" => true,
            other => return Err(format!("attended: '{other}' is not y or n")),
        };
        let note = Some(self.fields[4].text.trim().to_owned()).filter(|n| !n.is_empty());
        Ok(crate::storage::contacts::NewContact { kind, on, minutes, did_not_attend, note })
    }
}

pub fn draw_contact_form(frame: &mut Frame, area: Rect, state: &State, form: &ContactForm) {
    let fields: Vec<(&str, &LineInput)> = CONTACT_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = CONTACT_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Log a contact or session", &fields, form.focus, hint, form.error.as_deref());
}

pub fn draw_goal_form(frame: &mut Frame, area: Rect, state: &State, form: &GoalForm) {
    let fields: Vec<(&str, &LineInput)> = GOAL_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = GOAL_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "New goal", &fields, form.focus, hint, form.error.as_deref());
}

/// Draw a form of one-line fields: labels, the fields, a hint for the one in
/// focus, the last refusal, and the keys.
#[allow(clippy::too_many_arguments)]
pub fn draw_fields(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    title: &str,
    fields: &[(&str, &LineInput)],
    focus: usize,
    hint: &str,
    error: Option<&str>,
) {
    let t = &state.theme;
    let rect =
        centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 70, fields.len() as u16 + 8);
    clear_popup(frame, rect);
    let block = popup_block(state, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let field_w = usize::from(inner.width).saturating_sub(14);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, (label, f)) in fields.iter().enumerate() {
        let focused = i == focus;
        let shown =
            if focused { truncate_left(&f.text, field_w.saturating_sub(1)) } else { truncate(&f.text, field_w) };
        lines.push(Line::from(vec![
            Span::styled(if focused { "▶" } else { " " }, t.key()),
            Span::raw(format!("{} ", fit(label, 12))),
            Span::styled(fit(&shown, field_w), if focused { Style::new().underlined() } else { t.base() }),
        ]));
        if focused {
            let before = truncate_left(f.before_cursor(), field_w.saturating_sub(1));
            cursor = Some((inner.x + 14 + width(&before) as u16, inner.y + i as u16));
        }
    }
    lines.push(Line::from(""));
    for l in wrap(hint, usize::from(inner.width)).into_iter().take(2) {
        lines.push(Line::from(Span::styled(l, t.dim())));
    }
    lines.push(Line::from(Span::styled(truncate(error.unwrap_or(""), usize::from(inner.width)), t.error())));
    let rows = usize::from(inner.height).saturating_sub(1);
    lines.truncate(rows);
    while lines.len() < rows {
        lines.push(Line::from(""));
    }
    lines.push(form_keys(t));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}

/// The fields of the goal form: (label, hint).
pub const GOAL_FIELDS: [(&str, &str); 4] = [
    ("Goal", "what the person wants to achieve, in their words"),
    ("Steps", "the steps agreed"),
    ("Who", "who does what"),
    ("Target date", "YYYY-MM-DD (optional)"),
];

/// A goal for the client on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalForm {
    pub client_id: i64,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl GoalForm {
    pub fn new(client_id: i64) -> Self {
        let fields = [crate::storage::goals::TITLE_MAX, 2000, 2000, 10].iter().map(|m| LineInput::new(*m)).collect();
        GoalForm { client_id, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| !f.text.trim().is_empty())
    }

    pub fn goal(&self) -> Result<crate::storage::goals::NewGoal, String> {
        let target_on = match self.fields[3].text.trim() {
            "" => None,
            d => Some(crate::domain::intake::parse_date("target date", d).map_err(|e| e.to_string())?),
        };
        Ok(crate::storage::goals::NewGoal {
            title: self.fields[0].text.clone(),
            steps: self.fields[1].text.clone(),
            who: self.fields[2].text.clone(),
            target_on,
        })
    }
}

/// The fields of the prescription form: (label, hint).
pub const PRESCRIBE_FIELDS: [(&str, &str); 5] = [
    ("Wants", "What the person wants from this service, in their words (sent to the service)"),
    ("Needs", "Need codes it addresses, separated by ';' (blank: the referral's reasons)"),
    ("Consent", "verbal or written: how the person agreed to their details going to this service (blank: not yet)"),
    ("Share NHS no", "yes to include the NHS number in the referral (only if the service needs it)"),
    ("Note", "A note for the record (stays here; not sent)"),
];

/// A social prescription: one client to one service.
#[derive(Clone, Debug, PartialEq)]
pub struct PrescribeForm {
    pub client_id: i64,
    pub service_id: i64,
    pub title: String,
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl PrescribeForm {
    pub fn new(client_id: i64, client: &str, service_id: i64, service: &str) -> Self {
        let fields = [2000, 300, 10, 3, 2000].iter().map(|m| LineInput::new(*m)).collect();
        let title = format!("Prescribe {} for {}", truncate(service, 30), truncate(client, 24));
        PrescribeForm { client_id, service_id, title, fields, focus: 0, error: None }
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| !f.text.trim().is_empty())
    }

    pub fn prescription(&self) -> Result<crate::storage::prescriptions::NewPrescription, String> {
        use crate::domain::prescription::Consent;
        let f = |i: usize| self.fields[i].text.trim().to_owned();
        let consent = match f(2).to_lowercase().as_str() {
            "" => None,
            c => Some(Consent::parse(c)?),
        };
        let share_nhs_number = match f(3).to_lowercase().as_str() {
            "" | "n" | "no" => false,
            "y" | "yes" => true,
            other => return Err(format!("share NHS number: '{other}' is not yes or no")),
        };
        Ok(crate::storage::prescriptions::NewPrescription {
            client_id: self.client_id,
            service_id: self.service_id,
            needs: f(1).split([';', ',', ' ']).filter(|n| !n.is_empty()).map(str::to_lowercase).collect(),
            wants: f(0),
            note: f(4),
            consent,
            share_nhs_number,
        })
    }
}

pub fn draw_prescribe_form(frame: &mut Frame, area: Rect, state: &State, form: &PrescribeForm) {
    let fields: Vec<(&str, &LineInput)> = PRESCRIBE_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = PRESCRIBE_FIELDS[form.focus].1;
    draw_fields(frame, area, state, &form.title, &fields, form.focus, hint, form.error.as_deref());
}

/// The fields of the save-summary dialog: (label, hint).
pub const SUMMARY_FIELDS: [(&str, &str); 4] = [
    ("Week", "An ISO week, YYYY-Www (the default is the last complete week)"),
    ("Format", "html (a page to read and print), md, csv (for a spreadsheet) or json"),
    (
        "Suppress",
        "yes: 1 to 7 shown as *, others rounded to 5 (NHS Digital's method), for reports leaving the practice",
    ),
    ("File", "Where to save it (blank: exports/summary-WEEK.FORMAT beside the database)"),
];

/// Save the weekly summary: which week, in what form, where.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryForm {
    pub fields: Vec<LineInput>,
    pub focus: usize,
    pub error: Option<String>,
}

impl SummaryForm {
    pub fn new(today: NaiveDate) -> Self {
        let week = crate::domain::summary::Period::last_complete_week(today).week.unwrap_or_default();
        let mut fields: Vec<LineInput> = [8, 4, 3, 500].iter().map(|m| LineInput::new(*m)).collect();
        for (f, text) in fields.iter_mut().zip([week.as_str(), "md", "yes"]) {
            f.text = text.to_owned();
            f.cursor = text.chars().count();
        }
        SummaryForm { fields, focus: 0, error: None }
    }

    /// The request and the file, or what is wrong. `dir` is the default folder.
    pub fn request(
        &self,
        dir: &std::path::Path,
    ) -> Result<(crate::exports::SummaryRequest, std::path::PathBuf), String> {
        use crate::formats::summary::Format;
        let f = |i: usize| self.fields[i].text.trim().to_owned();
        let period = crate::domain::summary::Period::week(&f(0))?;
        let format = Format::parse(&f(1))?;
        let suppress_small = match f(2).to_lowercase().as_str() {
            "y" | "yes" => true,
            "n" | "no" => false,
            other => return Err(format!("suppress: '{other}' is not yes or no")),
        };
        let file = match f(3) {
            name if name.is_empty() => {
                dir.join(format!("summary-{}.{}", period.week.clone().unwrap_or_default(), format.extension()))
            }
            name => std::path::PathBuf::from(name),
        };
        Ok((crate::exports::SummaryRequest { period, format, suppress_small, signed: false }, file))
    }
}

pub fn draw_summary_form(frame: &mut Frame, area: Rect, state: &State, form: &SummaryForm) {
    let fields: Vec<(&str, &LineInput)> = SUMMARY_FIELDS.iter().map(|(l, _)| *l).zip(&form.fields).collect();
    let hint = SUMMARY_FIELDS[form.focus].1;
    draw_fields(frame, area, state, "Save the weekly summary", &fields, form.focus, hint, form.error.as_deref());
}

/// One thing that can be done to a prescription from the client record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Consent(crate::domain::prescription::Consent),
    Export,
    To(crate::domain::prescription::State),
}

/// What can be done next to a prescription, with a label for each.
pub fn steps(row: &crate::storage::prescriptions::Row) -> Vec<(Step, String)> {
    use crate::domain::prescription::{Consent, State, next_states};
    let state = row.state;
    let mut out = Vec::new();
    if state == State::Draft && row.consent.is_none() {
        for c in Consent::ALL {
            out.push((Step::Consent(*c), format!("record {c} consent to share with the service")));
        }
    }
    if row.consent.is_some() && matches!(state, State::Draft | State::Sent | State::Acknowledged | State::NoResponse) {
        let label = if state == State::Draft {
            "export the signed referral to send (it becomes sent)"
        } else {
            "export the signed referral again"
        };
        out.push((Step::Export, label.to_owned()));
    }
    // Without consent a draft cannot be sent: offer only recording it.
    let may_send = row.consent.is_some();
    for to in next_states(state).iter().filter(|to| **to != State::Sent || may_send) {
        let label = match to {
            State::Sent if state == State::Draft => "mark sent (handed over another way)".to_owned(),
            State::Sent => "sent again".to_owned(),
            State::Declined => "declined by the service (asks why)".to_owned(),
            s => s.label().to_owned(),
        };
        out.push((Step::To(*to), label));
    }
    out
}

/// A numbered list to choose from (goals, statuses).
pub fn draw_list_choice(frame: &mut Frame, area: Rect, state: &State, title: &str, options: &[String]) {
    let t = &state.theme;
    let rect = centred(area, 60, options.len() as u16 + 4);
    clear_popup(frame, rect);
    let block = popup_block(state, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            Line::from(vec![Span::styled(format!(" {} ", i + 1), t.key()), Span::raw(truncate(o, w.saturating_sub(4)))])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(vec![Span::styled("Esc", t.key()), Span::raw(" cancel")]));
    frame.render_widget(Paragraph::new(lines), inner);
}
