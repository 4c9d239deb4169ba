//! Formats: files that come in and go out. Open Referral UK directories
//! ([`oruk`]), signed JSON ([`jws`]), the weekly summary ([`summary`], and as a
//! printable page, [`summary_html`]) and the referral letter. They turn
//! bytes into domain types and back; storage writes them.

pub mod html;
pub mod ical;
pub mod jws;
pub mod letter;
pub mod oruk;
pub mod spreadsheet;
pub mod summary;
pub mod summary_html;
