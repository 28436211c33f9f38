//! libFuzzer entry point of the `rfc3339` target; the body is `ocpp_cp_fuzz::rfc3339::rfc3339`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocpp_cp_fuzz::rfc3339::rfc3339(data));
