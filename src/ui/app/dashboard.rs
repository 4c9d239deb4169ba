//! The dashboard's keys: saving the weekly summary.

use super::App;
use crate::storage;
use crate::ui::keymap::Action;
use crate::ui::state::{Pane, Popup};

impl App {
    /// Keys on the dashboard: `s` opens the save-summary dialog.
    pub(super) fn update_dashboard(&mut self, action: Action) {
        if action == Action::SaveSummary && self.state.pane == Pane::Dashboard {
            self.state.popup = Some(Popup::SaveSummary(Box::new(crate::ui::forms::SummaryForm::new(self.state.today))));
        }
    }

    /// Save the weekly summary as the dialog says.
    pub(super) fn save_summary(&mut self) {
        let Some(Popup::SaveSummary(form)) = &self.state.popup else { return };
        let dir = self.store.path().parent().unwrap_or(std::path::Path::new(".")).join("exports");
        let result = form.request(&dir).map_err(anyhow::Error::msg).and_then(|(req, file)| {
            if file.parent().is_some_and(|p| p == dir) {
                storage::create_data_dir(&dir)?;
            }
            crate::exports::export_summary(&mut self.store, &req, crate::exports::to_file(&file))
                .map(|()| (req.period.label(), file))
        });
        match result {
            Ok((label, file)) => {
                self.state.popup = None;
                let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let folder = file.parent().map_or_else(String::new, |p| p.display().to_string());
                self.info(&format!("Summary for {label} saved: {name} in {folder}"));
            }
            Err(e) => {
                if let Some(Popup::SaveSummary(form)) = &mut self.state.popup {
                    form.error = Some(format!("{e:#}"));
                }
            }
        }
    }
}
