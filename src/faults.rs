//! Fault injection for the crash tests: `LINKWORK_FAULT_AT=NAME` kills this
//! process (SIGKILL, as a power cut or a killed terminal would) when it reaches
//! the step named NAME. Unset, a step costs one comparison. The steps are named
//! where the work that must be all-or-nothing happens: restore, backup, export.

use std::sync::OnceLock;

/// Every named step, for the tests that kill the program at each in turn.
pub const POINTS: &[&str] = &[
    "backup:copied",
    "backup:checked",
    "backup:renamed",
    "restore:checked",
    "restore:staged",
    "restore:kept",
    "restore:copying",
    "restore:copied",
    "export:pending",
    "export:written",
    "export:recorded",
    "export:renamed",
];

/// The environment variable that names the step to die at.
pub const ENV: &str = "LINKWORK_FAULT_AT";

/// Die here if the tests asked for it.
pub fn point(name: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let at = AT.get_or_init(|| std::env::var(ENV).ok().filter(|v| !v.is_empty()));
    if at.as_deref() == Some(name) {
        debug_assert!(POINTS.contains(&name), "fault point {name} is not listed in POINTS");
        #[cfg(unix)]
        {
            let _ = signal_hook::low_level::raise(signal_hook::consts::SIGKILL);
        }
        std::process::abort();
    }
}
