//! The terminal UI: state (plain data), actions from one key map, `update` that
//! changes state, and `draw`, a pure function of state.
//!
//! The loop blocks until something happens (a key, a resize, a signal) and draws
//! only then: no CPU while idle. The terminal is restored on quit, on error, on
//! panic (ratatui's hook) and on SIGTERM/SIGHUP.

pub mod app;
pub mod caseload;
pub mod client;
pub mod dashboard;
pub mod directory;
pub mod draw;
pub mod forms;
pub mod jobs;
pub mod keymap;
pub mod state;
pub mod text;
pub mod theme;
pub mod today;

use std::io::{Write, stdout};
use std::sync::mpsc;

use anyhow::Result;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableFocusChange, EnableFocusChange, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use crate::storage::Store;
pub use app::App;

/// What wakes the loop.
enum Wake {
    Terminal(Event),
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Signal,
    /// The terminal could not be read any more.
    InputClosed(String),
    /// Word from work done in the background (the daily backup).
    Notice {
        text: String,
        is_error: bool,
    },
    /// The dashboard's figures are ready (read on their own thread).
    Figures,
}

/// Restores the terminal when dropped, whichever way `run` ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(stdout(), DisableFocusChange);
        ratatui::restore();
    }
}

/// The terminal UI draws on standard output: refuse plainly, before anything
/// else is done, when that is not a terminal (a pipe, a file, a service).
pub fn require_terminal() -> Result<()> {
    use std::io::IsTerminal as _;
    if !stdout().is_terminal() {
        anyhow::bail!(
            "the terminal UI needs a terminal, and standard output is not one; run linkwork in a terminal, \
             or give it a command (linkwork --help lists them)"
        );
    }
    Ok(())
}

/// Run the terminal UI on an open store until the person quits.
pub fn run(store: Store) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    let theme = theme::Theme::from_env();
    let ask_worker = std::env::var_os(crate::paths::WORKER_ENV).is_none();
    let is_demo = store.setting("is_demo")?.as_deref() == Some("1");
    let (db_path, worker) = (store.path().to_owned(), store.actor().worker.clone());

    // Everything that can fail on start has been done before the terminal changes.
    let (tx, rx) = mpsc::channel::<Wake>();
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
        let tx = tx.clone();
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Wake::Signal);
            }
        });
    }

    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            let _ = ratatui::try_restore();
            anyhow::bail!(
                "the terminal UI needs a terminal it can control ({e}); run linkwork in a terminal, or give it a \
                 command (linkwork --help lists them)"
            );
        }
    };
    let _guard = TerminalGuard;
    let _ = execute!(stdout(), EnableFocusChange);
    let size = terminal.size()?;
    let mut app = App::new(store, today, theme, (size.width, size.height), ask_worker)?;
    {
        let tx = tx.clone();
        app.compute_in_background_with(move || {
            let _ = tx.send(Wake::Figures);
        });
    }
    // The day starts with what is due today.
    app.open_today();

    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                match event::read() {
                    Ok(ev) => {
                        if tx.send(Wake::Terminal(ev)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Wake::InputClosed(e.to_string()));
                        break;
                    }
                }
            }
        });
    }

    // The first start of the day keeps a checked copy in backups/, on its own
    // connection, so the screen is ready at once. Quitting stops it; a copy cut
    // off is removed, never left to pass for a backup.
    let cancel_backup = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let backup = (!is_demo).then(|| {
        let tx = tx.clone();
        let cancel = cancel_backup.clone();
        std::thread::spawn(move || {
            let worker = (worker != crate::storage::UNNAMED_WORKER).then_some(worker);
            let result = Store::open(&db_path, worker.as_deref())
                .and_then(|store| crate::storage::backup::daily(&store, today, Some(&cancel)));
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let notice = match result {
                Ok(None) => return,
                Ok(Some(copied)) => Wake::Notice {
                    text: format!("Today's backup is saved and checked: {}", copied.path.display()),
                    is_error: false,
                },
                Err(e) => Wake::Notice { text: format!("The daily backup failed: {e:#}"), is_error: true },
            };
            let _ = tx.send(notice);
        })
    });
    let result = event_loop(&mut terminal, &mut app, &rx).and(app.finish());
    cancel_backup.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(backup) = backup {
        let _ = backup.join();
    }
    result
}

/// Wait for something to happen, act on it, draw; until the person quits.
fn event_loop(terminal: &mut DefaultTerminal, app: &mut App, rx: &mpsc::Receiver<Wake>) -> Result<()> {
    draw(terminal, app)?;
    while let Ok(first) = rx.recv() {
        // Handle everything already queued, then draw once.
        let mut redraw = false;
        let mut next = Some(first);
        while let Some(wake) = next {
            match wake {
                Wake::Terminal(ev) => {
                    // Left open overnight: the first key of a new day moves the date on.
                    let now = chrono::Local::now().date_naive();
                    if now != app.state.today {
                        app.new_day(now);
                        redraw = true;
                    }
                    redraw |= app.handle_event(&ev);
                }
                Wake::Signal => app.state.quit = true,
                Wake::InputClosed(e) => anyhow::bail!("the terminal stopped answering: {e}"),
                Wake::Notice { text, is_error } => {
                    app.notice(text, is_error);
                    redraw = true;
                }
                Wake::Figures => redraw |= app.background_done(),
            }
            if app.state.quit {
                break;
            }
            next = rx.try_recv().ok();
        }
        if app.state.quit {
            break;
        }
        if redraw {
            draw(terminal, app)?;
        }
    }
    Ok(())
}

/// One frame, inside the terminal's synchronized update so it never tears.
fn draw(terminal: &mut DefaultTerminal, app: &App) -> Result<()> {
    let mut out = stdout();
    let _ = execute!(out, BeginSynchronizedUpdate);
    let result = terminal.draw(|f| draw::draw(f, &app.state));
    let _ = execute!(out, EndSynchronizedUpdate);
    let _ = out.flush();
    result?;
    Ok(())
}
