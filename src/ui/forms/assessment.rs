//! The holistic assessment form: what matters to the person (in their words)
//! and their strengths in multi-line text areas, and a level and a note for each
//! need domain. Saving adds a new version; the earlier ones stay.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::{TextArea, WrapMode};

use crate::storage::assessments::{LEVELS, NEED_NOTE_MAX, NewAssessment};
use crate::storage::client::Assessment;
use crate::ui::draw::{centred, clear_popup, popup_block};
use crate::ui::state::{LineInput, State};
use crate::ui::text::{fit, truncate, truncate_left, width};

/// Where the cursor is in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    WhatMatters,
    Strengths,
    Level(usize),
    Note(usize),
}

#[derive(Clone, Debug)]
pub struct NeedRow {
    pub code: String,
    pub label: String,
    /// Index into [`LEVELS`].
    pub level: usize,
    pub note: LineInput,
}

#[derive(Clone, Debug)]
pub struct AssessmentForm {
    pub client_id: i64,
    pub version: i64,
    pub what_matters: TextArea<'static>,
    pub strengths: TextArea<'static>,
    pub needs: Vec<NeedRow>,
    pub focus: Focus,
    pub error: Option<String>,
    /// The text as it was when the form opened, to know if anything changed.
    start: NewAssessment,
}

fn text_area(text: Option<&str>) -> TextArea<'static> {
    let lines: Vec<String> = text.unwrap_or("").lines().map(str::to_owned).collect();
    let mut t = if lines.is_empty() { TextArea::default() } else { TextArea::new(lines) };
    t.set_wrap_mode(WrapMode::Word);
    t.set_cursor_line_style(Style::new());
    t
}

impl AssessmentForm {
    /// A new version, filled in from the latest (a reassessment starts from it).
    pub fn new(client_id: i64, codes: &[(String, String)], latest: Option<&Assessment>) -> Self {
        let needs = codes
            .iter()
            .map(|(code, label)| {
                let found = latest.and_then(|a| a.needs.iter().find(|n| &n.code == code));
                let mut note = LineInput::new(NEED_NOTE_MAX);
                if let Some(n) = found.and_then(|n| n.note.clone()) {
                    note.cursor = n.chars().count();
                    note.text = n;
                }
                NeedRow {
                    code: code.clone(),
                    label: label.clone(),
                    level: found.and_then(|n| LEVELS.iter().position(|l| *l == n.level)).unwrap_or(0),
                    note,
                }
            })
            .collect();
        let mut form = AssessmentForm {
            client_id,
            version: latest.map_or(1, |a| a.version + 1),
            what_matters: text_area(latest.and_then(|a| a.what_matters.as_deref())),
            strengths: text_area(latest.and_then(|a| a.strengths.as_deref())),
            needs,
            focus: Focus::WhatMatters,
            error: None,
            start: NewAssessment::default(),
        };
        form.start = form.entered();
        form
    }

    pub fn entered(&self) -> NewAssessment {
        NewAssessment {
            what_matters: self.what_matters.lines().join("\n"),
            strengths: self.strengths.lines().join("\n"),
            needs: self
                .needs
                .iter()
                .map(|n| (n.code.clone(), LEVELS[n.level].to_owned(), n.note.text.clone()))
                .collect(),
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.entered() != self.start
    }

    fn stops(&self) -> Vec<Focus> {
        let mut v = vec![Focus::WhatMatters, Focus::Strengths];
        for i in 0..self.needs.len() {
            v.push(Focus::Level(i));
            v.push(Focus::Note(i));
        }
        v
    }

    pub fn move_focus(&mut self, delta: isize) {
        let stops = self.stops();
        let at = stops.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.focus = stops[super::cycle(at, stops.len(), delta)];
    }

    /// Keys the key map leaves to the field in focus.
    pub fn key(&mut self, key: &KeyEvent) {
        self.error = None;
        let last = self.needs.len().saturating_sub(1);
        match self.focus {
            Focus::WhatMatters => {
                self.what_matters.input(*key);
            }
            Focus::Strengths => {
                self.strengths.input(*key);
            }
            Focus::Level(i) => match key.code {
                KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('+') => {
                    self.needs[i].level = (self.needs[i].level + 1) % LEVELS.len()
                }
                KeyCode::Left | KeyCode::Char('-') => {
                    self.needs[i].level = (self.needs[i].level + LEVELS.len() - 1) % LEVELS.len()
                }
                KeyCode::Char('0') | KeyCode::Char('n') => self.needs[i].level = 0,
                KeyCode::Char('1') | KeyCode::Char('s') => self.needs[i].level = 1,
                KeyCode::Char('2') | KeyCode::Char('g') => self.needs[i].level = 2,
                KeyCode::Down => self.focus = Focus::Level((i + 1).min(last)),
                KeyCode::Up => self.focus = Focus::Level(i.saturating_sub(1)),
                _ => {}
            },
            Focus::Note(i) => match key.code {
                KeyCode::Down => self.focus = Focus::Note((i + 1).min(last)),
                KeyCode::Up => self.focus = Focus::Note(i.saturating_sub(1)),
                _ => {
                    self.needs[i].note.edit(key);
                }
            },
        }
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, form: &AssessmentForm) {
    let t = &state.theme;
    let rect = centred(Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area }, 78, 34);
    clear_popup(frame, rect);
    let block = popup_block(state, "Assessment");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let title = format!("Version {} · what matters to me, in the person's own words", form.version);
    frame.render_widget(
        Line::from(Span::styled(truncate(&title, usize::from(inner.width)), t.header())),
        Rect { height: 1, ..inner },
    );

    let boxed = |focused: bool, title: &'static str| {
        Block::new()
            .borders(Borders::ALL)
            .border_style(if focused { t.border(true) } else { t.dim() })
            .title(Span::styled(title, if focused { t.title() } else { t.dim() }))
    };
    let wm_h = if inner.height >= 26 { 6 } else { 4 };
    let st_h = if inner.height >= 26 { 4 } else { 3 };
    let wm_area = Rect { y: inner.y + 1, height: wm_h, ..inner };
    let st_area = Rect { y: wm_area.bottom(), height: st_h, ..inner };
    let mut wm = form.what_matters.clone();
    wm.set_block(boxed(form.focus == Focus::WhatMatters, " What matters to me "));
    wm.set_cursor_style(if form.focus == Focus::WhatMatters { Style::new().reversed() } else { Style::new() });
    frame.render_widget(&wm, wm_area);
    let mut st = form.strengths.clone();
    st.set_block(boxed(form.focus == Focus::Strengths, " Strengths "));
    st.set_cursor_style(if form.focus == Focus::Strengths { Style::new().reversed() } else { Style::new() });
    frame.render_widget(&st, st_area);

    // Needs: the rows that fit, kept around the one in focus.
    let footer_h = 2;
    let rows_area = Rect {
        y: st_area.bottom() + 1,
        height: inner.bottom().saturating_sub(st_area.bottom() + 1 + footer_h),
        ..inner
    };
    frame.render_widget(
        Line::from(Span::styled(format!("  {} {} note", fit("Need", 24), fit("level", 12)), t.header())),
        Rect { y: st_area.bottom(), height: 1, ..inner },
    );
    let focus_row = match form.focus {
        Focus::Level(i) | Focus::Note(i) => i,
        _ => 0,
    };
    let visible = usize::from(rows_area.height).max(1);
    let top = focus_row.saturating_sub(visible - 1);
    let note_w = usize::from(inner.width).saturating_sub(40);
    for (row, (i, n)) in form.needs.iter().enumerate().skip(top).take(visible).enumerate() {
        let level_focused = form.focus == Focus::Level(i);
        let note_focused = form.focus == Focus::Note(i);
        let level = LEVELS[n.level];
        let level_style = match n.level {
            2 => t.warn(),
            1 => t.base(),
            _ => t.dim(),
        };
        let shown = if note_focused {
            truncate_left(&n.note.text, note_w.saturating_sub(1))
        } else {
            truncate(&n.note.text, note_w)
        };
        let line = Line::from(vec![
            Span::raw(if level_focused || note_focused { "▶ " } else { "  " }),
            Span::raw(format!("{} ", fit(&n.label, 24))),
            Span::styled(
                format!("{} ", fit(&format!("‹{level}›"), 12)),
                if level_focused { level_style.reversed() } else { level_style },
            ),
            Span::styled(fit(&shown, note_w), if note_focused { Style::new().underlined() } else { t.base() }),
        ]);
        let y = rows_area.y + row as u16;
        frame.render_widget(line, Rect { y, height: 1, ..rows_area });
        if note_focused {
            let before = truncate_left(n.note.before_cursor(), note_w.saturating_sub(1));
            frame.set_cursor_position((rows_area.x + 40 + width(&before) as u16, y));
        }
    }
    let footer = Rect { y: inner.bottom().saturating_sub(footer_h), height: footer_h, ..inner };
    let keys = Line::from(vec![
        Span::styled("Tab", t.key()),
        Span::raw(" next  "),
        Span::styled("←/→ 0 1 2", t.key()),
        Span::raw(" level  "),
        Span::styled("Ctrl+S", t.key()),
        Span::raw(" save  "),
        Span::styled("Esc", t.key()),
        Span::raw(" cancel"),
    ]);
    let error =
        Line::from(Span::styled(truncate(form.error.as_deref().unwrap_or(""), usize::from(inner.width)), t.error()));
    frame.render_widget(Paragraph::new(vec![error, keys]), footer);
}
