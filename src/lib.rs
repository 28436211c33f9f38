//! # ocpp-cp: an OCPP 1.6J charge point
//!
//! A sans-IO charge point: it performs no I/O, reads no clock and draws no randomness of
//! its own. The caller feeds it inputs (`handle_*`), takes its outputs (`poll_*`) and calls
//! it again at the instant [`cp::ChargePoint::poll_timeout`] names. The same code runs on
//! microcontrollers (`no_std` + `alloc`) and on Linux (feature `std`).
//!
//! Layers, from the wire up: [`ws`] (bytes <-> WebSocket text messages), [`rpc`]
//! (text <-> OCPP-J frames, CALLERROR mapping), [`json`] (the reader and writer every payload
//! goes through; no serde), [`messages`] (typed OCPP 1.6 payloads),
//! [`cp`] and [`meter`] (the charge point's behaviour). [`station`] joins a charge point to
//! its WebSocket connection; `ffi` (feature `ffi`) is the C ABI over it.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

// First: `json_object!` is used by every module after it.
#[macro_use]
pub mod json;
pub mod log;
pub mod messages;
pub mod meter;
pub mod rand;
pub mod rpc;
mod sort;
pub mod store;
pub mod time;

pub mod cp;
pub mod station;
pub mod ws;

// The C ABI: the one place with `unsafe` (pointers from C, the bare-metal allocator).
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
pub mod ffi;

// The simulator needs every profile (it implements firmware download, and so on).
#[cfg(all(feature = "std", feature = "profiles"))]
pub mod sim;
