//! Any bytes as an ActionTrail event and as a log read by `batch`: an error or a request, assumptions never overriding the event.
//! The check is `ramguard::fuzzing::actiontrail`, which `tests/fuzz_corpora.rs` replays the corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ramguard::fuzzing::actiontrail(data));
