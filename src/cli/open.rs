//! Opening the chosen database: the data folder, the demo on first use, the
//! notices and the recovery of interrupted exports.

use std::path::Path;

use anyhow::{Context, Result};

use crate::demo::{self, DemoOptions};
use crate::exports;
use crate::paths::DbChoice;
use crate::storage::{self, Store};

/// Open the chosen database: create the default data folder when needed, and
/// make the demo database on first use.
pub fn open(choice: &DbChoice, worker: Option<&str>) -> Result<Store> {
    open_with(choice, worker, false)
}

/// As [`open`], for `check`: a database whose schema is not exactly
/// linkwork's is opened, to be reported on.
pub fn open_to_check(choice: &DbChoice, worker: Option<&str>) -> Result<Store> {
    open_with(choice, worker, true)
}

fn open_with(choice: &DbChoice, worker: Option<&str>, to_check: bool) -> Result<Store> {
    if choice.in_data_dir
        && let Some(dir) = choice.path.parent()
    {
        storage::create_data_dir(dir)?;
    }
    if choice.demo && !choice.path.exists() {
        make_demo_db(&choice.path)?;
    }
    let mut store =
        if to_check { Store::open_to_check(&choice.path, worker)? } else { Store::open(&choice.path, worker)? };
    if choice.demo && store.setting("is_demo")?.as_deref() != Some("1") {
        anyhow::bail!(
            "{} is not a demo database (it has no demo marker), so --demo will not use it; move it away and \
             run again to make a new demo",
            choice.path.display()
        );
    }
    for notice in store.notices() {
        eprintln!("linkwork: {notice}");
    }
    for said in exports::recover(&mut store)? {
        eprintln!("linkwork: {said}");
    }
    Ok(store)
}

/// Generate the demo database beside its final name (under a name of this
/// process's own) and move it into place only when complete, so an interrupted
/// first start never leaves half a demo, and several first starts at once each
/// make one and the first finished is kept.
fn make_demo_db(path: &Path) -> Result<()> {
    eprintln!("linkwork: making the demo database {} ...", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        storage::files::sweep(dir)?;
    }
    let tmp = storage::files::partial_path(path);
    let made = (|| -> Result<()> {
        let mut store = Store::open(&tmp, None)?;
        let opts = DemoOptions {
            clients: DemoOptions::DEFAULT_CLIENTS,
            seed: DemoOptions::DEFAULT_SEED,
            weeks: DemoOptions::DEFAULT_WEEKS,
            today: chrono::Local::now().date_naive(),
        };
        demo::generate(&mut store, &opts)?;
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(store);
        // Never over a demo another start finished first: link, then drop our name.
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => storage::files::sync_dir(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).with_context(|| format!("moving the demo database into place at {}", path.display()));
            }
        }
        Ok(())
    })();
    storage::files::remove_database(&tmp);
    made
}
