//! Any bytes as a policy document: an error or a policy, never a panic; a policy decides fixed requests with evaluate and explain agreeing.
//! The check is `ramguard::fuzzing::policy`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::policy(data));
