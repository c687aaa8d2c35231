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
pub mod cli;
mod condition;
mod context;
#[cfg(feature = "cli")]
mod decision_test;
pub mod diagnostic;
pub mod eval;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
mod json;
pub mod limits;
pub mod lint;
mod pattern;
pub mod policy;
pub mod principal;
pub mod prove;
pub mod reload;
#[cfg(feature = "cli")]
mod replay;
pub mod report;
pub mod request;
pub mod restore;
mod rules;
mod source;
pub mod span;
mod suggest;
pub mod value;

// The front door, guard first: what a restore dispatcher needs. The modules hold the rest.
pub use account::CompiledAccount;
pub use eval::{Decision, Explanation, PolicySet, PolicyType, Verdict};
pub use policy::Policy;
pub use principal::PrincipalRef;
pub use reload::Reloadable;
pub use request::Request;
pub use restore::{
    Assessment, Clearance, InstanceState, Permit, Reason, Refusal, RestoreCall, RestoreParameters,
    guard,
};
pub use value::Timestamp;
