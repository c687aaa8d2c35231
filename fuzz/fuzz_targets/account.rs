//! Any bytes as an account file: an error, or an account whose compiled and per-principal sets agree.
//! The check is `ramguard::fuzzing::account`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::account(data));
