//! A policy set and a request built as `evaluate` builds them: `prove` never claims a property the request breaks, and confirms every witness.
//! The check is `ramguard::fuzzing::prove`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::prove(data));
