//! Everything the command line prints goes through here.
//!
//! - Control characters are stripped: names, notes and file names come from
//!   feeds, files and people, and an escape sequence in one (`\e[2J`,
//!   `\e]0;...\a`) would otherwise clear the screen, retitle the window or worse.
//! - A closed pipe (`linkwork referral list | head -1`) ends the program quietly
//!   with the status a shell shows for a tool ended by SIGPIPE, as Unix tools do,
//!   instead of the panic of `println!`.
//! - Any other failure to write standard output (a full disk under `> file`) is
//!   said on standard error, with a failing status.

use std::fmt;
use std::io::{self, Write as _};

use crate::domain::text::strip_controls;

/// The exit status when the reader of standard output has gone: 128 + SIGPIPE.
pub const CLOSED_PIPE: u8 = 141;

/// Whether an error is, at bottom, a closed pipe.
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// Print to standard output, stripped of control characters; `newline` ends the
/// line. Does not return if standard output cannot be written.
pub fn out(args: fmt::Arguments<'_>, newline: bool) {
    let mut text = args.to_string();
    if newline {
        text.push('\n');
    }
    if let Err(e) = io::stdout().lock().write_all(strip_controls(&text).as_bytes()) {
        give_up(&e);
    }
}

/// Print text whose lines end in CRLF (an iCalendar file), each line stripped
/// of control characters and the CRLF kept.
pub fn out_crlf(text: &str) {
    let clean: Vec<String> = text.split("\r\n").map(|l| strip_controls(l).into_owned()).collect();
    if let Err(e) = io::stdout().lock().write_all(clean.join("\r\n").as_bytes()) {
        give_up(&e);
    }
}

/// Print to standard error, stripped of control characters. A closed standard
/// error is ignored: there is nowhere left to say anything.
pub fn err(args: fmt::Arguments<'_>, newline: bool) {
    let mut text = args.to_string();
    if newline {
        text.push('\n');
    }
    let _ = io::stderr().lock().write_all(strip_controls(&text).as_bytes());
}

fn give_up(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(CLOSED_PIPE));
    }
    err(format_args!("linkwork: could not write to standard output: {e}"), true);
    std::process::exit(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_pipes_are_found_under_context() {
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("could not write");
        assert!(is_closed_pipe(&e));
        assert!(!is_closed_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
