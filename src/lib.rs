//! linkwork: a keyboard-driven caseload manager for NHS social prescribing Link
//! Workers.
//!
//! Layers, with arrows pointing one way:
//! - [`domain`]: types and rules, pure (NHS numbers, codes, scoring).
//! - [`storage`]: the SQLite database (schema, migrations, queries, audit).
//! - [`formats`]: files in and out (Open Referral UK), to and from domain types.
//! - [`demo`]: synthetic data, written through storage.
//! - [`ui`]: the terminal UI (state, actions, update, draw), reading through storage.
//! - [`cli`]: the command line that ties them together.
//! - [`input`]: files read within bounds of size and line length.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod exports;
pub mod faults;
pub mod formats;
pub mod input;
pub mod paths;
pub mod storage;
pub mod ui;
