//! ramguard decides whether a principal may call `kvstore:RestoreInstance` on an ApsaraDB for
//! Redis / Tair instance, by evaluating Alibaba Cloud RAM policies as RAM does, and says why.
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
