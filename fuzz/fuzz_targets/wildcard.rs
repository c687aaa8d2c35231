//! A wildcard pattern and input: the compiled matcher agrees with a naive one.
//! The check is `ramguard::fuzzing::wildcard`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::wildcard(data));
