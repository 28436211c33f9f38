//! libFuzzer entry point of the `charge_point` target; the body is `ocpp_cp_fuzz::charge_point::charge_point`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ocpp_cp_fuzz::charge_point::charge_point(data));
