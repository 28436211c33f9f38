//! libFuzzer entry point of the `messages` target; the body is `ocpp_cp_fuzz::messages::messages`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocpp_cp_fuzz::messages::messages(data));
