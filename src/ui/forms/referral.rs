//! The new-referral form.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::form_keys;
use crate::domain::intake::{FieldError, IntakeErrors, ReferralInput, validate};
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{LineInput, State};
use crate::ui::text::{fit, truncate, truncate_left, width, wrap};

/// The fields of the new-referral form, in order: (label, the error's field name, width limit).
pub const REFERRAL_FIELDS: [(&str, &str, usize); 12] = [
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
    ("Practice", "practice", 200),
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
    /// The practices kept in the database (names), shown beside the field.
    pub practices: Vec<String>,
    /// The day the form was opened: what its dates are checked against.
    pub today: NaiveDate,
}

impl ReferralForm {
    pub fn new(reason_codes: Vec<String>, today: NaiveDate) -> Self {
        let mut fields: Vec<LineInput> = REFERRAL_FIELDS.iter().map(|(_, _, max)| LineInput::new(*max)).collect();
        fields[4].text = today.to_string();
        fields[4].cursor = fields[4].text.chars().count();
        fields[7].text = "routine".to_owned();
        fields[7].cursor = 7;
        ReferralForm {
            fields,
            focus: 0,
            errors: None,
            reason_codes,
            on_file: None,
            same_person: false,
            practices: Vec::new(),
            today,
        }
    }

    /// Has the person typed anything that would be lost?
    pub fn is_dirty(&self) -> bool {
        [0, 1, 2, 3, 5, 6, 8, 9, 10, 11].iter().any(|&i| !self.fields[i].text.trim().is_empty())
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
            practice: f(10),
            notes: f(11),
        }
    }

    /// After a refusal, the field being typed in is checked again: its error goes
    /// as soon as it is right (or says what is wrong now); the other fields' stay
    /// until the next save.
    pub fn recheck_focus(&mut self) {
        let Some(old) = &self.errors else { return };
        let name = REFERRAL_FIELDS[self.focus].1;
        if old.for_field(name).is_none() {
            return;
        }
        let now = validate(&self.input(), &self.reason_codes, self.today).err();
        let mut kept: Vec<FieldError> = old.0.iter().filter(|e| e.field != name).cloned().collect();
        if let Some(e) = now.as_ref().and_then(|n| n.0.iter().find(|e| e.field == name)) {
            kept.push(e.clone());
        }
        self.errors = (!kept.is_empty()).then_some(IntakeErrors(kept));
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
        // The focus is always shown; a wrong field is marked ! when the focus is elsewhere
        // (and the field in focus, if wrong, has its marker in the error colour).
        let mark = if focused {
            "▶"
        } else if error {
            "!"
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
        10 if form.practices.is_empty() => {
            "the GP practice, by name or ODS code (blank: none; add practices with linkwork practice set)".to_owned()
        }
        10 => format!("the GP practice, by name or ODS code (blank: none): {}", form.practices.join(", ")),
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
