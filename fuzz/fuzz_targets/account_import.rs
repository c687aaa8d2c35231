//! Any bytes as a text archive of an account export directory: an import error, or an account file that loads.
//! The check is `ramguard::fuzzing::account_import`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::account_import(data));
