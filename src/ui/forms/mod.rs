//! Forms and popups, one file each (as gitui keeps `popups/`), and what every
//! form shares: the focus moving round the fields, typing into the one in focus,
//! the keys line and the drawing of a form of one-line fields.
//!
//! A form's file holds its fields, its state (plain data), what it makes of what
//! was typed, and its drawing. `app/forms.rs` routes keys to it and saves it.
//!
//! To add a form: copy `goal.rs` (a small form of one-line fields), add its
//! `Popup` variant in `state.rs`, then let the compiler lead: every match on
//! `Popup` is exhaustive, so it names each place the new form must be handled
//! (its context, drawing, whether it is dirty, its save).

pub mod assessment;
pub mod choice;
pub mod contact;
pub mod details;
pub mod find;
pub mod goal;
pub mod measure;
pub mod notice;
pub mod prescribe;
pub mod prompt;
pub mod referral;
pub mod safeguarding;
pub mod service;
pub mod summary;
pub mod unmet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub use choice::{CLOSE_OUTCOMES, Choose, draw_choice, draw_list_choice};
pub use contact::{CONTACT_FIELDS, ContactForm, draw_contact_form};
pub use details::{DetailsForm, draw_details_form};
pub use find::draw_find;
pub use goal::{GOAL_FIELDS, GoalForm, draw_goal_form};
pub use measure::{MeasureForm, draw_measure_form};
pub use notice::draw_notice;
pub use prescribe::{PRESCRIBE_FIELDS, PrescribeForm, Step, draw_prescribe_form, steps};
pub use prompt::{Ask, draw_prompt, parse_booking, parse_capacity};
pub use referral::{REFERRAL_FIELDS, ReferralForm, draw_referral_form};
pub use safeguarding::{SafeguardingForm, draw_safeguarding_form};
pub use service::{ServiceForm, draw_service_form};
pub use summary::{SUMMARY_FIELDS, SummaryForm, draw_summary_form};
pub use unmet::draw_unmet;

use super::draw::{centred, clear_popup, popup_block};
use super::state::{LineInput, State};
use super::text::{fit, truncate, truncate_left, width, wrap};

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

line_form!(ContactForm, GoalForm, PrescribeForm, SummaryForm, DetailsForm, SafeguardingForm, ServiceForm);

impl LineForm for ReferralForm {
    fn parts(&mut self) -> (&mut [LineInput], &mut usize) {
        (&mut self.fields, &mut self.focus)
    }

    fn edit(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
        let changed = self.fields[self.focus].edit(key);
        if changed {
            self.recheck_focus();
        }
        changed
    }
}

/// The keys line at the foot of every one-line-field form.
pub(crate) fn form_keys(t: &super::theme::Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("Tab/↓ ↑", t.key()),
        Span::raw(" field  "),
        Span::styled("Enter", t.key()),
        Span::raw(" save  "),
        Span::styled("Esc", t.key()),
        Span::raw(" cancel"),
    ])
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
