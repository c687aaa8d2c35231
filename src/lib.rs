#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod arn;
#[cfg(feature = "cli")]
pub mod batch;
#[cfg(feature = "cli")]
pub mod cli;
pub mod condition;
pub mod context;
#[cfg(feature = "cli")]
pub mod decision_test;
pub mod diagnostic;
pub mod eval;
pub mod json;
pub mod lint;
pub mod pattern;
pub mod policy;
pub mod principal;
pub mod report;
pub mod request;
pub mod restore;
pub mod rules;
pub mod source;
pub mod span;
mod suggest;
pub mod value;

pub use eval::{Decision, Explanation, PolicySet, PolicySetBuilder, PolicyType, Verdict};
pub use lint::{Finding, Severity};
pub use policy::{Effect, Policy};
pub use principal::{Account, PrincipalRef};
pub use request::Request;
pub use restore::{Clearance, RestoreCall, RestoreParameters};
