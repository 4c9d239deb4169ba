//! The find box (Ctrl+F from anywhere): every person, open or closed, by any
//! part of the name, an NHS number or a phone number. Each keystroke reads the
//! indexes once (see `storage::find`); Enter opens the record chosen.

use super::App;
use crate::storage::find;
use crate::ui::keymap::Action;
use crate::ui::state::{FindState, LineInput, Popup};

/// How many people the box lists.
pub(super) const FIND_LIMIT: usize = 50;

impl App {
    pub(super) fn open_find(&mut self) {
        let state = FindState { input: LineInput::new(60), ..Default::default() };
        self.state.popup = Some(Popup::Find(Box::new(state)));
    }

    /// Search again after the text changed.
    pub(super) fn search_people(&mut self) {
        let Some(Popup::Find(f)) = &mut self.state.popup else { return };
        match find::people(self.store.conn(), &f.input.text, FIND_LIMIT) {
            Ok(found) => {
                f.found = found;
                f.selected = 0;
                f.error = None;
            }
            Err(e) => f.error = Some(format!("{e:#}")),
        }
    }

    pub(super) fn update_find(&mut self, action: Action) {
        let Some(Popup::Find(f)) = &mut self.state.popup else { return };
        match action {
            Action::Back => self.state.popup = None,
            Action::ForceQuit => self.request_quit(),
            Action::Down => f.selected = (f.selected + 1).min(f.found.len().saturating_sub(1)),
            Action::Up => f.selected = f.selected.saturating_sub(1),
            Action::Open => {
                let Some(p) = f.found.get(f.selected) else { return };
                let (id, from) = (p.client_id, self.state.pane);
                self.state.popup = None;
                self.open_record(
                    id,
                    if from == crate::ui::state::Pane::Client { crate::ui::state::Pane::Caseload } else { from },
                );
            }
            _ => {}
        }
    }
}
