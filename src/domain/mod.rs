//! Domain types and rules: pure, no I/O. Everything above (storage, formats, UI)
//! depends on this module; it depends on nothing of theirs.

pub mod appointment;
pub mod details;
pub mod directory;
pub mod intake;
pub mod measures;
pub mod nhs;
pub mod prescription;
pub mod referral;
pub mod search;
pub mod summary;
pub mod text;
pub mod triage;

pub use nhs::NhsNumber;
