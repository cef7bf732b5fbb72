#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intcov_fuzz::meta(data));
