//! Where the database lives: `--db`, else `$LINKWORK_DB`, else `linkwork.db` in
//! the platform's local data folder; `--demo` uses `demo.db` beside the default.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

pub const DB_ENV: &str = "LINKWORK_DB";
pub const WORKER_ENV: &str = "LINKWORK_WORKER";

/// The platform's local data folder for linkwork (for example
/// `~/.local/share/linkwork` on Linux, `%LOCALAPPDATA%\linkwork\data` on Windows).
pub fn data_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("uk.nhs", "", "linkwork")
        .map(|d| d.data_local_dir().to_owned())
        .ok_or_else(|| anyhow!("could not find a home folder for the data; use --db PATH or set {DB_ENV}"))
}

/// Which database a run uses, and whether it lives in the default data folder
/// (which linkwork may create) or was named by the user (whose folder must exist).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbChoice {
    pub path: PathBuf,
    pub in_data_dir: bool,
    pub demo: bool,
}

/// Decide the database from the flags and the environment.
pub fn choose(db_flag: Option<&Path>, demo: bool, env_db: Option<PathBuf>) -> Result<DbChoice> {
    if demo {
        // Beside the default one: beside --db or $LINKWORK_DB when given.
        let named = db_flag.map(Path::to_owned).or(env_db);
        return Ok(match named {
            Some(p) => DbChoice {
                path: p.parent().map_or_else(|| PathBuf::from("demo.db"), |d| d.join("demo.db")),
                in_data_dir: false,
                demo: true,
            },
            None => DbChoice { path: data_dir()?.join("demo.db"), in_data_dir: true, demo: true },
        });
    }
    if let Some(p) = db_flag {
        return Ok(DbChoice { path: p.to_owned(), in_data_dir: false, demo: false });
    }
    if let Some(p) = env_db.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(DbChoice { path: p, in_data_dir: false, demo: false });
    }
    Ok(DbChoice { path: data_dir()?.join("linkwork.db"), in_data_dir: true, demo: false })
}

/// Is this a path on a network share (`\\\\server\\share\\...`, or `//server/share`)?
/// SQLite's locking is not reliable there. (Drive letters mapped to a share are
/// not recognised.)
pub fn is_network_path(path: &Path) -> bool {
    let s = path.to_string_lossy();
    let unc = s.starts_with("\\\\") && !s.starts_with("\\\\?\\") && !s.starts_with("\\\\.\\");
    let verbatim_unc = s.to_ascii_uppercase().starts_with("\\\\?\\UNC\\");
    let slashes = cfg!(windows) && s.starts_with("//");
    unc || verbatim_unc || slashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_environment_and_demo_sits_beside() {
        let c = choose(Some(Path::new("/x/a.db")), false, Some("/y/b.db".into())).unwrap();
        assert_eq!(c.path, PathBuf::from("/x/a.db"));
        let c = choose(None, false, Some("/y/b.db".into())).unwrap();
        assert_eq!(c.path, PathBuf::from("/y/b.db"));
        let c = choose(None, true, Some("/y/b.db".into())).unwrap();
        assert_eq!(c.path, PathBuf::from("/y/demo.db"));
        assert!(c.demo);
    }

    #[test]
    fn network_shares_are_recognised() {
        assert!(is_network_path(Path::new(r"\\practice-nas\shared\linkwork.db")));
        assert!(is_network_path(Path::new(r"\\?\UNC\nas\share\l.db")));
        assert!(!is_network_path(Path::new(r"\\?\C:\data\l.db")));
        assert!(!is_network_path(Path::new(r"C:\Users\lw\l.db")));
        assert!(!is_network_path(Path::new("/home/lw/linkwork.db")));
    }
}
