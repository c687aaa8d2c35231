#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod arn;
pub mod condition;
pub mod eval;
pub mod json;
pub mod pattern;
pub mod policy;
pub mod request;
pub mod source;
pub mod value;

pub use eval::{Decision, Explanation, PolicySet, PolicySetBuilder, PolicyType, Verdict};
pub use policy::{Effect, Policy};
pub use request::Request;
