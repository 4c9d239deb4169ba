//! Work the UI hands to a thread of its own, so that keys keep working while it
//! runs: the dashboard's figures, read on the thread's own connection to the
//! database (as the daily backup is). The thread waits for requests, answers
//! each with a message and a wake-up for the event loop, and ends when the
//! application drops its side.

use std::path::PathBuf;
use std::sync::mpsc;

use chrono::NaiveDate;

use crate::storage::Store;
use crate::storage::summary::{self, Dashboard};

/// Something asked of the background thread, numbered.
struct Request {
    id: u64,
    today: NaiveDate,
}

/// Its answer: the dashboard's figures, or why they could not be read.
struct Answer {
    id: u64,
    result: Result<Dashboard, String>,
}

/// The UI's side of the background thread.
pub struct Background {
    requests: mpsc::Sender<Request>,
    answers: mpsc::Receiver<Answer>,
    /// The latest request's number: an answer to an older one is dropped, so
    /// figures read before a change never replace those read after it.
    latest: u64,
    /// The latest request has not been answered yet.
    pending: bool,
}

impl Background {
    /// Start the thread for the database at `path`. `wake` is called after each
    /// answer is sent (the event loop then collects it with [`Background::take`]).
    pub fn start(path: PathBuf, worker: Option<String>, wake: impl Fn() + Send + 'static) -> Background {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, answers) = mpsc::channel::<Answer>();
        std::thread::spawn(move || {
            let mut store: Option<Store> = None;
            while let Ok(mut request) = inbox.recv() {
                // Only the newest of the requests queued meanwhile is worth reading.
                while let Ok(newer) = inbox.try_recv() {
                    request = newer;
                }
                let result = (|| {
                    match &mut store {
                        None => store = Some(Store::open(&path, worker.as_deref())?),
                        // A file replaced meanwhile (a restore) is opened again:
                        // never figures from the one it replaced.
                        Some(open) => {
                            open.changed_outside()?;
                        }
                    }
                    let store = store.as_ref().expect("opened above");
                    summary::dashboard(store.conn(), request.today)
                })()
                .map_err(|e| format!("{e:#}"));
                if outbox.send(Answer { id: request.id, result }).is_err() {
                    break;
                }
                wake();
            }
        });
        Background { requests, answers, latest: 0, pending: false }
    }

    /// Ask for the dashboard's figures as of `today`.
    pub fn dashboard(&mut self, today: NaiveDate) {
        self.latest += 1;
        self.pending = self.requests.send(Request { id: self.latest, today }).is_ok();
    }

    /// Whether an answer is still awaited.
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// The latest request's answer if it has come (without waiting).
    pub fn take(&mut self) -> Option<Result<Dashboard, String>> {
        let mut found = None;
        while let Ok(answer) = self.answers.try_recv() {
            if answer.id == self.latest {
                found = Some(answer.result);
            }
        }
        self.settle(found)
    }

    /// Wait for the latest request's answer (for tests and benchmarks).
    pub fn wait(&mut self) -> Option<Result<Dashboard, String>> {
        if !self.pending {
            return None;
        }
        while let Ok(answer) = self.answers.recv() {
            if answer.id == self.latest {
                return self.settle(Some(answer.result));
            }
        }
        self.pending = false;
        Some(Err("the background thread stopped".to_owned()))
    }

    fn settle(&mut self, found: Option<Result<Dashboard, String>>) -> Option<Result<Dashboard, String>> {
        if found.is_some() {
            self.pending = false;
        }
        found
    }
}
