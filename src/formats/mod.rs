//! Formats: files that come in and go out. Open Referral UK directories
//! ([`oruk`]), signed JSON ([`jws`]) and the weekly summary ([`summary`]). They turn
//! bytes into domain types and back; storage writes them.

pub mod ical;
pub mod jws;
pub mod oruk;
pub mod spreadsheet;
pub mod summary;
