//! Any bytes as an instance file: an error, or a state the restore guard permits only when it should.
//! The check is `ramguard::fuzzing::instance`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::instance(data));
