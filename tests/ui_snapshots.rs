//! Snapshots of every pane, the help overlay and the too-small message, at 80x24
//! and 120x40, in colour and with NO_COLOR, drawn on ratatui's TestBackend from a
//! deterministic demo database.

use chrono::NaiveDate;
use linkwork::demo::{DemoOptions, generate};
use linkwork::storage::Store;
use linkwork::ui::App;
use linkwork::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn app(dir: &tempfile::TempDir, w: u16, h: u16, colour: bool) -> App {
    let path = dir.path().join("snap.db");
    if !path.exists() {
        let mut store = Store::open(&path, None).unwrap();
        generate(&mut store, &DemoOptions { clients: 120, seed: 5, weeks: 52, today: today() }).unwrap();
    }
    let store = Store::open(&path, None).unwrap();
    App::new(store, today(), Theme { colour }, (w, h), false).unwrap()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn render(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.state.width, app.state.height)).unwrap();
    terminal.draw(|f| linkwork::ui::draw::draw(f, &app.state)).unwrap();
    terminal.backend().buffer().clone()
}

/// The screen as text, then a line per run of styled cells, so a snapshot shows
/// both what is written and how it is marked.
fn screen(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("--- styles (row: columns fg bg modifiers)\n");
    for y in 0..buf.area.height {
        let mut runs: Vec<String> = Vec::new();
        let mut start = 0usize;
        let key = |x: u16| {
            let c = &buf[(x, y)];
            (c.fg, c.bg, c.modifier)
        };
        for x in 1..=buf.area.width {
            if x as usize == w || key(x) != key(start as u16) {
                let (fg, bg, m) = key(start as u16);
                if fg != Color::Reset || bg != Color::Reset || m != Modifier::empty() {
                    runs.push(format!("{start}-{} {fg:?} {bg:?} {m:?}", x - 1));
                }
                start = x as usize;
            }
        }
        if !runs.is_empty() {
            out.push_str(&format!("{y}: {}\n", runs.join("; ")));
        }
    }
    out
}

fn snap(name: &str, app: &App) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, screen(&render(app))));
}

fn each_size_and_theme(f: impl Fn(&mut App) -> &'static str) {
    for (w, h) in [(80, 24), (120, 40)] {
        for colour in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let mut a = app(&dir, w, h, colour);
            let what = f(&mut a);
            let theme = if colour { "colour" } else { "no_color" };
            snap(&format!("{what}_{w}x{h}_{theme}"), &a);
        }
    }
}

#[test]
fn caseload_pane() {
    each_size_and_theme(|_| "caseload");
}

#[test]
fn today_pane() {
    each_size_and_theme(|a| {
        press(a, KeyCode::Char('5'));
        "today"
    });
}

#[test]
fn client_with_an_appointment_found_by_nhs_number() {
    each_size_and_theme(|a| {
        // The first person with an appointment still to come, found with Ctrl+F.
        let nhs: String = a
            .store()
            .conn()
            .query_row(
                "SELECT c.nhs_number FROM appointment a JOIN referral r ON r.id = a.referral_id
                 JOIN client c ON c.id = r.client_id
                 WHERE a.status = 'booked' AND a.starts_at >= '2026-11-23' ORDER BY a.starts_at, a.id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        a.handle_key(&KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL));
        for c in nhs.chars() {
            press(a, KeyCode::Char(c));
        }
        press(a, KeyCode::Enter);
        assert_eq!(a.state.pane, linkwork::ui::state::Pane::Client);
        assert_eq!(a.state.client.detail.as_ref().map(|d| d.client.nhs_number.clone()), Some(nhs));
        assert!(a.state.client.next_appointment.is_some());
        "client_appointment"
    });
}

#[test]
fn client_pane() {
    each_size_and_theme(|a| {
        // A person with a full history: closed list, first row.
        for _ in 0..4 {
            press(a, KeyCode::Char('v'));
        }
        press(a, KeyCode::Enter);
        "client"
    });
}

#[test]
fn directory_pane() {
    each_size_and_theme(|a| {
        press(a, KeyCode::Char('3'));
        press(a, KeyCode::Char('j'));
        "directory"
    });
}

#[test]
fn dashboard_pane() {
    each_size_and_theme(|a| {
        press(a, KeyCode::Char('4'));
        "dashboard"
    });
}

#[test]
fn help_overlay() {
    each_size_and_theme(|a| {
        press(a, KeyCode::Char('?'));
        "help"
    });
}

#[test]
fn too_small_message() {
    for colour in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let a = app(&dir, 70, 20, colour);
        let text = screen(&render(&a));
        assert!(text.contains("too small"), "{text}");
        assert!(text.contains("70x20") && text.contains("80x24"), "{text}");
        snap(&format!("too_small_70x20_{}", if colour { "colour" } else { "no_color" }), &a);
    }
}

#[test]
fn no_color_has_no_colour_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, 120, 40, false);
    let panes = [
        &[][..],
        &[KeyCode::Enter][..],
        &[KeyCode::Char('3')][..],
        &[KeyCode::Char('4')][..],
        &[KeyCode::Char('?')][..],
    ];
    for keys in panes {
        for k in keys {
            press(&mut a, *k);
        }
        let buf = render(&a);
        for cell in buf.content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "colour under NO_COLOR");
        }
    }
    // The selection is still visible: reverse video and a marker.
    let dir = tempfile::tempdir().unwrap();
    let a = app(&dir, 80, 24, false);
    let buf = render(&a);
    let text = screen(&buf);
    assert!(text.contains("▶"), "{text}");
    assert!(buf.content().iter().any(|c| c.modifier.contains(Modifier::REVERSED)));
}

#[test]
fn names_in_any_script_keep_the_columns_aligned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.db");
    let mut store = Store::open(&path, None).unwrap();
    generate(&mut store, &DemoOptions { clients: 40, seed: 5, weeks: 52, today: today() }).unwrap();
    let names = [
        "Jo 🌻 Bloggs",
        "王芳李伟王芳李伟王芳李伟王芳李伟王芳李伟",
        "محمد علی قریشی صدیقی چوہدری",
        "Gwenllian Llŷr ap Rhys-Prydderch Wiśniewska",
        "Zoë Pen\u{303}a",
    ];
    for (i, n) in names.iter().enumerate() {
        store
            .conn()
            .execute(
                "UPDATE client SET name = ?1 WHERE id IN (SELECT client_id FROM referral WHERE status IN ('new','contacting') ORDER BY id LIMIT 1 OFFSET ?2)",
                rusqlite::params![n, i as i64],
            )
            .unwrap();
    }
    drop(store);
    for w in [80u16, 120] {
        let a = App::new(Store::open(&path, None).unwrap(), today(), Theme { colour: true }, (w, 24), false).unwrap();
        let buf = render(&a);
        // Every row that shows an NHS number shows it starting in the same column.
        let mut columns = std::collections::HashSet::new();
        for y in 0..buf.area.height {
            let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            for x in 0..cells.len().saturating_sub(4) {
                if cells[x..x + 4].concat() == "999 " {
                    columns.insert(x);
                    break;
                }
            }
        }
        assert_eq!(columns.len(), 1, "NHS numbers start in columns {columns:?} at width {w}");
        let text = screen(&buf);
        assert!(text.contains("Jo 🌻 Bloggs"), "{text}");
    }
}
