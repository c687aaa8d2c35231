//! Any bytes as a request file: an error or a request that fixed policy sets decide consistently.
//! The check is `ramguard::fuzzing::request`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::request(data));
