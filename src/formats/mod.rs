//! Formats: files that come in and go out. Open Referral UK directories
//! ([`oruk`]). They turn bytes into domain types and back; storage writes them.

pub mod oruk;
