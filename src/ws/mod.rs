//! A sans-IO WebSocket client (RFC 6455) for OCPP-J, the same code on every target.
//!
//! Performs no I/O and reads no clock: bytes from the socket go in with `handle_bytes`,
//! bytes for the socket come out of `outgoing()`, time is an argument and randomness
//! (masks, the handshake key, reconnect jitter) is injected through [`crate::rand::Random`].
//!
//! - [`Url`]: `ws://` / `wss://` URLs.
//! - [`Client`]: one WebSocket session over one byte stream: the HTTP upgrade with
//!   `Sec-WebSocket-Protocol: ocpp1.6` and optional HTTP Basic auth (OCPP security
//!   profile 1/2), framing, masking, ping/pong, the close handshake, bounded messages.
//! - [`Connection`]: the connection manager above it: tells the host when to open and
//!   close its socket, reconnects with exponential backoff and jitter, sends
//!   WebSocketPingInterval pings and notices a link that went silent.
//! - `host` (feature `std`): a blocking-with-timeout TCP / rustls transport for Linux.

mod client;
mod connection;
mod encoding;
mod error;
mod frame;
mod handshake;
#[cfg(feature = "std")]
pub mod host;
mod url;

pub use client::{Client, ClientConfig, ClientState, WsEvent, DEFAULT_MAX_MESSAGE_SIZE};
pub use connection::{ConnEvent, ConnState, Connection, ConnectionConfig, LinkAction};
pub use error::WsError;
pub use frame::close_code;
pub use handshake::{accept_key, MAX_RESPONSE_HEADER};
#[cfg(feature = "std")]
pub use host::{HostLink, TlsSettings};
pub use url::{Url, UrlError};
