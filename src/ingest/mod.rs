//! Inputs as Alibaba Cloud reports them, read into ramguard's own types: an account exported
//! with the aliyun CLI ([`account_import`]) and ActionTrail events ([`actiontrail`]).

pub mod account_import;
pub mod actiontrail;
