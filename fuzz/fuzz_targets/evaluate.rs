//! A policy set and a request built from small alphabets: evaluate == explain, the index agrees with a linear scan, Deny statements never allow.
//! The check is `ramguard::fuzzing::evaluate`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::evaluate(data));
