//! libFuzzer entry point of the `rpc_frame` target; the body is `ocpp_cp_fuzz::rpc_frame::rpc_frame`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocpp_cp_fuzz::rpc_frame::rpc_frame(data));
