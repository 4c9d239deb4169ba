//! Drawing: a pure function of [`State`]. No I/O, no queries: everything shown
//! was read into state by `update`. Only the rows that fit are rendered.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::keymap::{self, Context};
use super::state::{Pane, Popup, Question, State};
use super::text::{fit, truncate, truncate_left, width, wrap};
use super::{caseload, client, directory, forms};

/// The smallest terminal linkwork draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Rows inside a pane's border: the screen less the header, the bottom bar and
/// the border itself.
pub fn body_rows(state: &State) -> usize {
    usize::from(state.height).saturating_sub(4)
}

/// Rows of referrals the caseload shows: less its view and filter line and its
/// column headings.
pub fn caseload_rows(state: &State) -> usize {
    body_rows(state).saturating_sub(2).max(1)
}

/// Rows of services the directory lists: less its search line.
pub fn directory_rows(state: &State) -> usize {
    body_rows(state).saturating_sub(1).max(1)
}

pub fn too_small(state: &State) -> bool {
    state.width < MIN_WIDTH || state.height < MIN_HEIGHT
}

/// Where a popup sends keys.
pub fn popup_context(popup: &Popup) -> Context {
    match popup {
        Popup::Help { .. } => Context::Help,
        Popup::Confirm { .. } => Context::Confirm,
        Popup::WorkerPrompt { .. } => Context::WorkerPrompt,
        Popup::NewReferral(_)
        | Popup::Measure(_)
        | Popup::Contact(_)
        | Popup::Goal(_)
        | Popup::Details(_)
        | Popup::Safeguarding(_)
        | Popup::Service(_)
        | Popup::Prescribe(_)
        | Popup::SaveSummary(_) => Context::Form,
        Popup::GoalPick { .. }
        | Popup::GoalStatus { .. }
        | Popup::PrescriptionPick { .. }
        | Popup::PrescriptionStep { .. }
        | Popup::ContactPick { .. } => Context::Choice,
        Popup::Assessment(_) => Context::LongForm,
        Popup::Prompt { .. } => Context::Prompt,
        Popup::Choice { .. } => Context::Choice,
        Popup::Unmet(_) | Popup::Notice { .. } => Context::Help,
        Popup::Find(_) => Context::Find,
    }
}

/// The context the bottom bar describes (the same as `App::context`).
pub fn context(state: &State) -> Context {
    match &state.popup {
        Some(p) => popup_context(p),
        None => {
            let editing = match state.pane {
                Pane::Caseload => state.caseload.editing_filter,
                Pane::Directory => state.directory.editing_filter,
                Pane::Client | Pane::Dashboard | Pane::Today => false,
            };
            if editing { Context::FilterInput } else { Context::Pane(state.pane) }
        }
    }
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    if too_small(state) || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, area, state);
        return;
    }
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    draw_header(frame, header, state);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(state.theme.border(true))
        .title(Span::styled(format!(" {} ", pane_title(state)), state.theme.title()));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    match state.pane {
        Pane::Caseload => caseload::draw(frame, inner, state),
        Pane::Client => client::draw(frame, inner, state),
        Pane::Directory => directory::draw(frame, inner, state),
        Pane::Dashboard => super::dashboard::draw(frame, inner, state),
        Pane::Today => super::today::draw(frame, inner, state),
    }
    draw_footer(frame, footer, state);
    match &state.popup {
        None => {}
        Some(Popup::Help { scroll }) => draw_help(frame, area, state, *scroll),
        Some(Popup::Confirm { question, under }) => draw_confirm(frame, area, state, *question, under.as_deref()),
        Some(Popup::WorkerPrompt { input }) => draw_worker_prompt(frame, area, state, input),
        Some(Popup::NewReferral(form)) => forms::draw_referral_form(frame, area, state, form),
        Some(Popup::Measure(form)) => forms::draw_measure_form(frame, area, state, form),
        Some(Popup::Contact(form)) => forms::draw_contact_form(frame, area, state, form),
        Some(Popup::Goal(form)) => forms::draw_goal_form(frame, area, state, form),
        Some(Popup::Details(form)) => forms::draw_details_form(frame, area, state, form),
        Some(Popup::Safeguarding(form)) => forms::draw_safeguarding_form(frame, area, state, form),
        Some(Popup::Service(form)) => forms::draw_service_form(frame, area, state, form),
        Some(Popup::GoalPick { goals }) => {
            let options: Vec<String> = goals.iter().map(|(_, t)| t.clone()).collect();
            forms::draw_list_choice(frame, area, state, "Which goal?", &options)
        }
        Some(Popup::GoalStatus { title, .. }) => {
            let options: Vec<String> = crate::storage::goals::STATUSES.iter().map(|s| s.replace('_', " ")).collect();
            forms::draw_list_choice(frame, area, state, &format!("Status of: {}", truncate(title, 40)), &options)
        }
        Some(Popup::Prescribe(form)) => forms::draw_prescribe_form(frame, area, state, form),
        Some(Popup::SaveSummary(form)) => forms::draw_summary_form(frame, area, state, form),
        Some(Popup::PrescriptionPick { items }) => {
            let options: Vec<String> = items.iter().map(|(_, t)| t.clone()).collect();
            forms::draw_list_choice(frame, area, state, "Which prescription?", &options)
        }
        Some(Popup::PrescriptionStep { service, state: now, steps, .. }) => {
            let options: Vec<String> = steps.iter().map(|(_, label)| label.clone()).collect();
            let title = format!("{}: {}", truncate(service, 36), now.label());
            forms::draw_list_choice(frame, area, state, &title, &options)
        }
        Some(Popup::ContactPick { items }) => {
            let options: Vec<String> = items.iter().map(|(label, _)| label.clone()).collect();
            forms::draw_list_choice(frame, area, state, "Which contact? (newest first)", &options)
        }
        Some(Popup::Assessment(form)) => super::forms::assessment::draw(frame, area, state, form),
        Some(Popup::Prompt { ask, who, input, error, .. }) => {
            forms::draw_prompt(frame, area, state, *ask, who, input, error.as_deref())
        }
        Some(Popup::Choice { choose, who, .. }) => forms::draw_choice(frame, area, state, *choose, who),
        Some(Popup::Unmet(rows)) => forms::draw_unmet(frame, area, state, rows),
        Some(Popup::Notice { title, text, scroll }) => {
            forms::draw_notice(frame, area, state, (title, text, *scroll), &[("Esc", "close")])
        }
        Some(Popup::Find(f)) => forms::draw_find(frame, area, state, f),
    }
}

fn pane_title(state: &State) -> String {
    match state.pane {
        Pane::Today => format!("Today, {}", state.today.format("%A %-d %B")),
        Pane::Dashboard => format!("Dashboard: the last 12 weeks to {} (s saves the weekly summary)", state.today),
        Pane::Caseload => format!("Caseload: {} ({})", state.caseload.view.label(), state.caseload.list.total),
        Pane::Client => match &state.client.detail {
            Some(d) => format!("Client assessment: {}", d.client.name),
            None => "Client assessment".to_owned(),
        },
        Pane::Directory if state.directory.list.total > crate::storage::directory::COUNT_AT_MOST => {
            format!("Service directory (over {} match: type more)", crate::storage::directory::COUNT_AT_MOST)
        }
        Pane::Directory => {
            let d = &state.directory;
            let mut filters = Vec::new();
            if d.accepting_only {
                filters.push("accepting".to_owned());
            }
            if let Some(age) = d.age {
                filters.push(format!("age {age}"));
            }
            if d.free_only {
                filters.push("free".to_owned());
            }
            if let Some(day) = d.open_on {
                filters.push(format!("open {day}"));
            }
            if let Some(district) = &d.district {
                filters.push(format!("in {district}"));
            }
            if filters.is_empty() {
                format!("Service directory ({})", d.list.total)
            } else {
                format!("Service directory ({}; {})", d.list.total, filters.join(", "))
            }
        }
    }
}

fn draw_header(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let date = state.today.format("%a %-d %b %Y").to_string();
    let demo = if state.is_demo { " DEMO ·" } else { "" };
    let total = usize::from(area.width);
    // Full pane titles when they fit, short ones otherwise.
    let short = |p: Pane| match p {
        Pane::Caseload => "Caseload",
        Pane::Client => "Client",
        Pane::Directory => "Directory",
        Pane::Dashboard => "Dashboard",
        Pane::Today => "Today",
    };
    let long_width: usize = Pane::ALL.iter().map(|p| p.title().len() + 5).sum::<usize>() + 9;
    let use_long = long_width + date.len() + 24 <= total;
    let mut spans = vec![Span::styled(" linkwork ", t.title())];
    for p in Pane::ALL {
        let name = if use_long { p.title() } else { short(p) };
        // Narrow: no padding inside the tabs, so five fit 80 columns with the date.
        let label = if use_long { format!(" {} {} ", p.number(), name) } else { format!("{} {}", p.number(), name) };
        if p == state.pane {
            spans.push(Span::styled(format!("[{}]", label.trim()), t.active_tab()));
        } else {
            spans.push(Span::styled(label, t.dim()));
        }
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    // At 80 columns four tabs leave room for the day and month only.
    let date =
        if used + width(demo) + date.len() + 2 > total { state.today.format("%-d %b").to_string() } else { date };
    let right_fixed = format!("{demo} {date} ");
    let room = total.saturating_sub(used + width(&right_fixed) + 1);
    // A file name cut to a few characters says nothing: leave it out then.
    let db =
        if room >= 8 || room >= width(&state.db_label) { truncate_left(&state.db_label, room) } else { String::new() };
    let pad = total.saturating_sub(used + width(&db) + width(&right_fixed));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(db, t.dim()));
    spans.push(Span::styled(right_fixed, if state.is_demo { t.warn() } else { t.base() }));
    frame.render_widget(Line::from(spans), area);
}

fn draw_footer(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let mut spans = Vec::new();
    if let Some(m) = &state.message {
        let style = if m.is_error { t.error() } else { t.good() };
        let text = format!(" {} ", m.text.replace('\n', " "));
        let room = usize::from(area.width);
        if width(&text) > room {
            // Cut, and say how to read it all.
            spans.push(Span::styled(truncate(&text, room.saturating_sub(7)), style));
            spans.push(Span::styled(" L", t.key()));
            spans.push(Span::raw(" all "));
        } else {
            spans.push(Span::styled(text, style));
            spans.push(Span::raw(" "));
        }
    }
    // Whole hints only, in the key map's order (most wanted first), as many as
    // fit; help and quit always, last: help lists the rest.
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let hints = keymap::bar(context(state));
    let hint_w = |(keys, what): &(&str, &str)| width(keys) + width(what) + 3;
    let always = |(keys, _): &(&str, &str)| matches!(*keys, "?" | "q");
    let reserved: usize = hints.iter().filter(|h| always(h)).map(hint_w).sum();
    let free = usize::from(area.width).saturating_sub(used);
    let mut room = free.saturating_sub(reserved);
    let mut shown: Vec<(&str, &str)> = Vec::new();
    for h in hints.iter().filter(|h| !always(h)) {
        if hint_w(h) > room {
            break;
        }
        room -= hint_w(h);
        shown.push(*h);
    }
    // Help and quit when a long message leaves room for them, whole.
    room = free - shown.iter().map(hint_w).sum::<usize>();
    for h in hints.iter().filter(|h| always(h)) {
        if hint_w(h) <= room {
            room -= hint_w(h);
            shown.push(*h);
        }
    }
    for (keys, what) in shown {
        spans.push(Span::styled(format!(" {keys}"), t.key()));
        spans.push(Span::raw(format!(" {what} ")));
    }
    // Cut at the screen's edge on a character boundary.
    let mut left = usize::from(area.width);
    let mut fitted = Vec::new();
    for s in spans {
        if left == 0 {
            break;
        }
        let text = truncate(&s.content, left);
        left = left.saturating_sub(width(&text));
        fitted.push(Span::styled(text, s.style));
    }
    frame.render_widget(Line::from(fitted), area);
}

fn draw_too_small(frame: &mut Frame, area: Rect, state: &State) {
    let text = vec![
        Line::from(Span::styled("The terminal is too small for linkwork.", state.theme.warn())),
        Line::from(format!("It is {}x{}; linkwork needs at least {MIN_WIDTH}x{MIN_HEIGHT}.", area.width, area.height)),
        Line::from("Enlarge the window, or make the font smaller."),
        Line::from("Press q to quit."),
    ];
    let h = (text.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let rect = Rect { x: area.x, y, width: area.width, height: h };
    frame.render_widget(Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }), rect);
}

/// A rectangle of at most `w` x `h`, centred and clamped to the screen.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Clear the popup's rectangle, and mend wide characters (Chinese, emoji) that
/// it cuts in half at its edges, so no half glyph is left beside the border.
pub fn clear_popup(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let area = frame.area();
    let buf = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if rect.x > area.x {
            let left = &mut buf[(rect.x - 1, y)];
            if width(left.symbol()) > 1 {
                left.set_symbol(" ");
            }
        }
        if rect.right() < area.right() {
            let right = &mut buf[(rect.right(), y)];
            if right.symbol().is_empty() {
                right.set_symbol(" ");
            }
        }
    }
}

pub fn popup_block<'a>(state: &State, title: &'a str) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(state.theme.border(true))
        .title(Span::styled(format!(" {title} "), state.theme.title()))
}

/// The help overlay's lines for a pane, from the key map.
/// The help overlay is 66 columns: 2 of border, 14 of keys, the rest for words.
const HELP_TEXT_WIDTH: usize = 66 - 2 - 14;

fn help_lines(state: &State, pane: Pane) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (group, bindings) in keymap::help_lines(pane) {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(group, state.theme.header())));
        for (keys, what) in bindings {
            // Long descriptions wrap under themselves, never past the border.
            for (i, part) in wrap(what, HELP_TEXT_WIDTH).into_iter().enumerate() {
                let key = if i == 0 { format!("  {}", fit(keys, 12)) } else { " ".repeat(14) };
                lines.push(Line::from(vec![Span::styled(key, state.theme.key()), Span::raw(part)]));
            }
        }
    }
    if !marks(pane).is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Marks", state.theme.header())));
        for (mark, what) in marks(pane) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", fit(mark, 12)), state.theme.warn()),
                Span::raw(*what),
            ]));
        }
    }
    lines
}

/// How far the help overlay can scroll: its lines less the rows it has on screen.
pub fn help_max_scroll(state: &State) -> usize {
    let lines = help_lines(state, state.pane).len();
    let rows = help_rect(Rect::new(0, 0, state.width, state.height), lines).height.saturating_sub(2);
    lines.saturating_sub(usize::from(rows))
}

/// The help overlay sits between the header and the bottom bar, so the bar can
/// still say how to close it.
fn help_rect(area: Rect, lines: usize) -> Rect {
    let between = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    centred(between, 66, lines as u16 + 2)
}

/// What the marks in a pane's rows mean, for the help overlay.
pub fn marks(pane: Pane) -> &'static [(&'static str, &'static str)] {
    match pane {
        Pane::Caseload => &[
            ("S", "safeguarding concern"),
            ("?", "a service has not answered a prescription in time"),
            ("12 d!", "days waiting; ! = no contact within the set working days"),
        ],
        Pane::Directory => &[
            ("–", "not accepting referrals"),
            ("×", "not active (closed or defunct)"),
            ("+", "over capacity: more sent in 4 weeks than places"),
            (super::directory::SLOW_MARK, "slow: a referral waiting over 14 days for an answer"),
        ],
        Pane::Client | Pane::Dashboard => &[],
        Pane::Today => &[("d!", "days past the date")],
    }
}

fn draw_help(frame: &mut Frame, area: Rect, state: &State, scroll: usize) {
    let lines = help_lines(state, state.pane);
    let rect = help_rect(area, lines.len());
    clear_popup(frame, rect);
    let more = if scroll < help_max_scroll(state) { " (j for more)" } else { "" };
    let title = format!("Help: {}{more}", state.pane.title());
    let block = popup_block(state, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(usize::from(inner.height)).collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

fn draw_confirm(frame: &mut Frame, area: Rect, state: &State, question: Question, under: Option<&Popup>) {
    if question == Question::SamePerson {
        let on_file = match under {
            Some(Popup::NewReferral(f)) => f.on_file.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let text = format!("{on_file}\n\nIs it the same person?");
        let keys = [("y", "yes, add the referral to their record"), ("n", "no, check the number")];
        return forms::draw_notice(frame, area, state, ("Same person?", &text, 0), &keys);
    }
    let rect = centred(area, 52, 6);
    clear_popup(frame, rect);
    let (title, ask, yes) = match question {
        Question::Quit => ("Quit?", "Quit and lose it?", "quit"),
        Question::Discard => ("Cancel?", "Close the form and lose it?", "close"),
        Question::SamePerson => ("Same person?", "", "yes"),
    };
    let block = popup_block(state, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let text = vec![
        Line::from("You have typed something that is not saved."),
        Line::from(ask),
        Line::from(""),
        Line::from(vec![
            Span::styled(" y ", state.theme.key()),
            Span::raw(format!("{yes}   ")),
            Span::styled(" n ", state.theme.key()),
            Span::raw("go back"),
        ]),
    ];
    frame.render_widget(Paragraph::new(text), inner);
}

fn draw_worker_prompt(frame: &mut Frame, area: Rect, state: &State, input: &super::state::LineInput) {
    let rect = centred(area, 64, 9);
    clear_popup(frame, rect);
    let block = popup_block(state, "Welcome to linkwork");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let field_w = usize::from(inner.width).saturating_sub(8);
    let shown = truncate_left(&input.text, field_w.saturating_sub(1));
    let text = vec![
        Line::from("Who is using linkwork on this computer?"),
        Line::from(Span::styled("Your name is recorded in the audit trail with every change.", state.theme.dim())),
        Line::from(""),
        Line::from(vec![Span::raw("Name: "), Span::styled(fit(&shown, field_w), Style::new().underlined())]),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter", state.theme.key()),
            Span::raw(" save   "),
            Span::styled("Esc", state.theme.key()),
            Span::raw(" not now"),
        ]),
    ];
    frame.render_widget(Paragraph::new(text), inner);
    let cursor_x = inner.x + 6 + width(&truncate_left(input.before_cursor(), field_w.saturating_sub(1))) as u16;
    frame.set_cursor_position((cursor_x.min(inner.right().saturating_sub(1)), inner.y + 3));
}

/// A labelled text field on one line: "label text▏" with the cursor placed when
/// it is being typed in.
pub fn draw_filter(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    label: &str,
    input: &super::state::LineInput,
    editing: bool,
    hint: &str,
) {
    let t = &state.theme;
    let label_w = width(label) as u16 + 1;
    let field_w = usize::from(area.width.saturating_sub(label_w));
    let (text, style) = if input.text.is_empty() && !editing {
        (hint.to_owned(), t.dim())
    } else {
        (
            truncate_left(&input.text, field_w.saturating_sub(1)),
            if editing { Style::new().underlined() } else { t.warn() },
        )
    };
    let line = Line::from(vec![Span::styled(format!("{label} "), t.key()), Span::styled(fit(&text, field_w), style)]);
    frame.render_widget(line, area);
    if editing {
        let before = truncate_left(input.before_cursor(), field_w.saturating_sub(1));
        let x = area.x + label_w + width(&before) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}
