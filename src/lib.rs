#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![warn(
    unreachable_pub,
    clippy::missing_errors_doc,
    clippy::missing_panics_doc
)]

pub mod account;
mod arn;
#[cfg(feature = "cli")]
mod batch;
#[cfg(feature = "cli")]
pub mod cli;
mod condition;
mod context;
#[cfg(feature = "cli")]
mod decision_test;
pub mod diagnostic;
pub mod eval;
mod json;
pub mod lint;
mod pattern;
pub mod policy;
pub mod principal;
pub mod reload;
pub mod report;
pub mod request;
pub mod restore;
mod rules;
mod source;
pub mod span;
mod suggest;
pub mod value;

pub use eval::{Decision, Explanation, PolicySet, PolicySetBuilder, PolicyType, Verdict};
pub use lint::{Finding, Severity};
pub use policy::{Effect, Policy};
pub use principal::{Account, PrincipalRef};
pub use request::Request;
pub use restore::{Clearance, RestoreCall, RestoreParameters};
