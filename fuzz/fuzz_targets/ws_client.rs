//! libFuzzer entry point of the `ws_client` target; the body is `ocpp_cp_fuzz::ws_client::ws_client`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocpp_cp_fuzz::ws_client::ws_client(data));
