//! Numbered choices: a contact attempt's outcome, a closing outcome, which
//! measure to record; and numbered lists (goals, statuses, prescriptions).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::referral::Outcome;
use crate::domain::triage::Attempt;
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::State;
use crate::ui::text::truncate;

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
