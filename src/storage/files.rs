//! Files written beside the database: whole or not at all. Each is written under
//! a temporary name that says which process writes it (`.NAME.PID.partial`),
//! flushed to disk, then renamed. A partial file left by a process that died
//! (it may hold personal data) is removed by [`sweep`] at the next start.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const SUFFIX: &str = ".partial";

/// A SQLite file's companion beside it: `suffix` is `-journal`, `-wal` or `-shm`.
pub fn companion(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map_or_else(|| "linkwork".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}{suffix}"))
}

/// Remove a database file and every companion SQLite may have left beside it.
pub fn remove_database(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(companion(path, suffix));
    }
}

/// The temporary name `path` is written under by this process.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "linkwork".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}{SUFFIX}", std::process::id()))
}

/// The process that writes a partial file, from its name.
fn writer_of(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?;
    // A database being written leaves its -journal, -wal and -shm beside it.
    let stem = ["-journal", "-wal", "-shm"].iter().find_map(|s| stem.strip_suffix(s)).unwrap_or(stem);
    let stem = stem.strip_suffix(SUFFIX)?;
    stem.rsplit_once('.').and_then(|(_, pid)| pid.parse().ok())
}

/// Is process `pid` still running? Unknown counts as running, so that nothing
/// another process is writing is ever removed.
pub fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    true
}

/// Remove the partial files in `dir` whose writer has died; returns them.
pub fn sweep(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(removed) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = writer_of(&name)
            && !alive(pid)
        {
            let path = entry.path();
            std::fs::remove_file(&path).with_context(|| format!("removing the leftover {}", path.display()))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Make a rename durable: flush the folder that holds `path`.
pub fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_is_read_from_the_name() {
        assert_eq!(writer_of(".referral-3.jws.json.4242.partial"), Some(4242));
        assert_eq!(writer_of(".lw-2026-11-25.db.17.partial-journal"), Some(17));
        assert_eq!(writer_of("referral-3.jws.json"), None);
        assert_eq!(writer_of(".hidden"), None);
        let p = partial_path(Path::new("/x/out.json"));
        assert_eq!(writer_of(&p.file_name().unwrap().to_string_lossy()), Some(std::process::id()));
    }
}
