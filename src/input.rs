//! Reading the files people hand the program, within bounds: a file's size and
//! a line's length are limited, so `/dev/zero`, a 200 MB feed or a file of one
//! endless line is refused with a clear message instead of growing memory
//! without bound. Regular files are measured before they are read; anything else
//! (a pipe, a device) is read up to the limit and refused past it.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// How much of a file is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes.
    pub max_bytes: u64,
    /// The longest line, in bytes (a line ends at LF or CR).
    pub max_line: usize,
}

/// A limit passed while reading: the message names the file's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    TooLarge { max_bytes: u64 },
    LongLine { line: u64, max_line: usize },
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exceeded::TooLarge { max_bytes } => {
                write!(f, "the file is larger than {}; split it into smaller files", size(*max_bytes))
            }
            Exceeded::LongLine { line, max_line } => {
                write!(f, "line {line} is longer than {} (is it the right file?)", size(*max_line as u64))
            }
        }
    }
}

impl std::error::Error for Exceeded {}

/// Sizes as people say them: 64 MiB, 64 KiB, 100 bytes.
fn size(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// The limit passed, if this error (or one it wraps) is one.
pub fn exceeded<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Exceeded> {
    let mut at = Some(e);
    while let Some(e) = at {
        if let Some(x) = e.downcast_ref::<Exceeded>() {
            return Some(x);
        }
        if let Some(io) = e.downcast_ref::<io::Error>()
            && let Some(x) = io.get_ref().and_then(|inner| inner.downcast_ref::<Exceeded>())
        {
            return Some(x);
        }
        at = e.source();
    }
    None
}

/// A reader that fails with [`Exceeded`] once a limit is passed.
pub struct Bounded<R> {
    inner: R,
    limits: Limits,
    read: u64,
    line: u64,
    line_len: usize,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, limits: Limits) -> Bounded<R> {
        Bounded { inner, limits, read: 0, line: 1, line_len: 0 }
    }

    fn fail(x: Exceeded) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, x)
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limits.max_bytes {
            return Err(Self::fail(Exceeded::TooLarge { max_bytes: self.limits.max_bytes }));
        }
        for &b in &buf[..n] {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.line_len = 0;
                }
                b'\r' => self.line_len = 0,
                _ => {
                    self.line_len += 1;
                    if self.line_len > self.limits.max_line {
                        return Err(Self::fail(Exceeded::LongLine { line: self.line, max_line: self.limits.max_line }));
                    }
                }
            }
        }
        Ok(n)
    }
}

/// Open a file to read within `limits`: a folder is refused, and a regular file
/// larger than the limit is refused before anything is read.
pub fn open(path: &Path, limits: Limits) -> Result<Bounded<File>> {
    let file = File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let meta = file.metadata().with_context(|| format!("could not read {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder, not a file", path.display());
    }
    if meta.is_file() && meta.len() > limits.max_bytes {
        return Err(anyhow::Error::new(Exceeded::TooLarge { max_bytes: limits.max_bytes }))
            .with_context(|| path.display().to_string());
    }
    Ok(Bounded::new(file, limits))
}

/// Read a whole file within `limits`.
pub fn read(path: &Path, limits: Limits) -> Result<Vec<u8>> {
    let mut reader = open(path, limits)?;
    let mut bytes = Vec::new();
    match reader.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => match exceeded(&e) {
            Some(x) => Err(anyhow::Error::new(x.clone())).with_context(|| path.display().to_string()),
            None => Err(e).with_context(|| format!("could not read {}", path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits { max_bytes: 100, max_line: 10 };

    fn read_all(bytes: &[u8], limits: Limits) -> Result<Vec<u8>, Exceeded> {
        let mut out = Vec::new();
        Bounded::new(bytes, limits).read_to_end(&mut out).map(|_| out).map_err(|e| exceeded(&e).unwrap().clone())
    }

    #[test]
    fn within_the_limits_everything_is_read() {
        assert_eq!(read_all(b"0123456789\n0123456789\r\n", SMALL).unwrap().len(), 23);
    }

    #[test]
    fn a_long_line_names_its_number() {
        assert_eq!(read_all(b"ok\nok\n0123456789x", SMALL), Err(Exceeded::LongLine { line: 3, max_line: 10 }));
        assert_eq!(
            Exceeded::LongLine { line: 3, max_line: 65536 }.to_string(),
            "line 3 is longer than 64 KiB (is it the right file?)"
        );
    }

    #[test]
    fn endless_input_stops_at_the_size_limit() {
        let limits = Limits { max_bytes: 1000, max_line: usize::MAX };
        let endless = std::io::repeat(b'a');
        let mut out = Vec::new();
        let e = Bounded::new(endless, limits).read_to_end(&mut out).unwrap_err();
        assert_eq!(exceeded(&e), Some(&Exceeded::TooLarge { max_bytes: 1000 }));
        assert!(out.len() < 100_000);
        assert!(Exceeded::TooLarge { max_bytes: 64 << 20 }.to_string().contains("larger than 64 MiB"));
    }
}
