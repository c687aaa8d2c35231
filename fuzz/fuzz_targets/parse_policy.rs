//! Any text, as a policy document or a request: an error or a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = ramguard::Policy::from_text("fuzz", text);
    let _ = ramguard::Request::from_json_text(text);
});
