//! The bodies of the ocpp-cp fuzz targets, one module per target.
//!
//! Each `fuzz_targets/<name>.rs` is a one-line libFuzzer entry point that calls the function
//! of the same name here; keeping the bodies in a library lets `cargo test` (stable, no
//! libFuzzer) replay every committed corpus file through exactly the same code
//! (`tests/corpus.rs`).
//!
//! A target fails by panicking: the library under test must never panic on any input, and
//! the targets assert invariants that must hold for every input (see each module).

pub mod charge_point;
pub mod check;
pub mod messages;
pub mod rfc3339;
pub mod rpc_frame;
pub mod ws_client;

/// A target's body: panics when the input breaks the library.
pub type Body = fn(&[u8]);

/// Every target: (name as in `fuzz_targets/` and `corpus/`, body).
pub const TARGETS: [(&str, Body); 5] = [
    ("ws_client", ws_client::ws_client),
    ("rpc_frame", rpc_frame::rpc_frame),
    ("messages", messages::messages),
    ("rfc3339", rfc3339::rfc3339),
    ("charge_point", charge_point::charge_point),
];
