//! [`WsError`]: everything that can go wrong between the socket and a text message.

use alloc::string::String;
use core::fmt;

/// Why a WebSocket operation or session failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsError {
    /// The server answered the upgrade with this HTTP status instead of 101: 401 means the
    /// AuthorizationKey (HTTP Basic password) was refused, 404 an unknown charge point id
    /// or path.
    HttpStatus(u16),
    /// The server selected no subprotocol, or another one than `ocpp1.6` (RFC 6455 §4.1:
    /// the client must fail the connection). `selected` is what it sent, if anything.
    Subprotocol {
        /// The server's `Sec-WebSocket-Protocol`, `None` when it sent none.
        selected: Option<String>,
    },
    /// `Sec-WebSocket-Accept` was missing or did not match our key (RFC 6455 §4.1).
    BadAccept,
    /// The handshake response was not a valid WebSocket upgrade; says what was wrong.
    BadResponse(&'static str),
    /// The handshake response header exceeded [`crate::ws::MAX_RESPONSE_HEADER`] bytes.
    ResponseTooLarge,
    /// The server broke RFC 6455 framing; we closed the session with `code`
    /// (1002 protocol error, 1003 unsupported data, 1007 invalid UTF-8).
    Protocol {
        /// The close code we sent.
        code: u16,
        /// What the server did wrong.
        reason: &'static str,
    },
    /// A message from the server was larger than `max_message_size`; we closed with 1009
    /// as soon as a frame header announced it, before buffering it.
    MessageTooLarge {
        /// Bytes the message would have had (at least).
        size: u64,
        /// The configured maximum.
        max: usize,
    },
    /// The operation needs an open WebSocket session.
    NotOpen,
    /// A control frame payload (ping) longer than 125 bytes (RFC 6455 §5.5).
    ControlTooLong,
    /// The configuration cannot work; says which part.
    InvalidConfig(&'static str),
    /// The host's socket did not connect within `connect_timeout_ms`.
    ConnectTimeout,
    /// The WebSocket handshake did not complete within `handshake_timeout_ms`.
    HandshakeTimeout,
    /// The socket failed or was closed before the WebSocket session opened.
    SocketClosed,
    /// No pong (or any other data) arrived within `pong_timeout_ms` of a ping: the link
    /// stayed open but went silent.
    PongTimeout,
}

impl WsError {
    /// The RFC 6455 close code we sent because of this error, if it closed the session.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            WsError::Protocol { code, .. } => Some(*code),
            WsError::MessageTooLarge { .. } => Some(crate::ws::close_code::MESSAGE_TOO_BIG),
            _ => None,
        }
    }
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::HttpStatus(401) => f.write_str(
                "HTTP 401 Unauthorized: the central system refused the credentials \
                 (charge point id / AuthorizationKey)",
            ),
            WsError::HttpStatus(403) => f.write_str(
                "HTTP 403 Forbidden: the central system refused this charge point \
                 (charge point id / AuthorizationKey)",
            ),
            WsError::HttpStatus(404) => f.write_str(
                "HTTP 404 Not Found: the central system does not know this charge point id \
                 or URL path",
            ),
            WsError::HttpStatus(code) => {
                write!(f, "HTTP {code}: the central system refused the WebSocket upgrade")
            }
            WsError::Subprotocol { selected: None } => {
                f.write_str("the central system selected no WebSocket subprotocol (ocpp1.6 was offered)")
            }
            WsError::Subprotocol { selected: Some(p) } => write!(
                f,
                "the central system selected WebSocket subprotocol \"{p}\", not the one offered"
            ),
            WsError::BadAccept => f.write_str("Sec-WebSocket-Accept missing or wrong"),
            WsError::BadResponse(what) => write!(f, "bad WebSocket handshake response: {what}"),
            WsError::ResponseTooLarge => f.write_str("WebSocket handshake response too large"),
            WsError::Protocol { code, reason } => {
                write!(
                    f,
                    "WebSocket protocol error from the server ({reason}), closed with {code}"
                )
            }
            WsError::MessageTooLarge { size, max } => write!(
                f,
                "incoming WebSocket message of {size} bytes exceeds the maximum of {max}, \
                 closed with 1009"
            ),
            WsError::NotOpen => f.write_str("the WebSocket session is not open"),
            WsError::ControlTooLong => f.write_str("control frame payload over 125 bytes"),
            WsError::InvalidConfig(what) => write!(f, "invalid WebSocket configuration: {what}"),
            WsError::ConnectTimeout => f.write_str("connect timeout"),
            WsError::HandshakeTimeout => f.write_str("WebSocket handshake timeout"),
            WsError::SocketClosed => f.write_str("connection failed or closed before the WebSocket opened"),
            WsError::PongTimeout => f.write_str("pong timeout"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for WsError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn refusals_say_what_to_fix() {
        assert!(WsError::HttpStatus(401).to_string().contains("AuthorizationKey"));
        assert!(WsError::HttpStatus(404).to_string().contains("charge point id"));
        assert_eq!(
            WsError::HttpStatus(503).to_string(),
            "HTTP 503: the central system refused the WebSocket upgrade"
        );
        assert!(WsError::Subprotocol { selected: None }
            .to_string()
            .contains("no WebSocket"));
        assert!(WsError::Subprotocol {
            selected: Some("ocpp2.0.1".into())
        }
        .to_string()
        .contains("\"ocpp2.0.1\""));
        assert_eq!(WsError::PongTimeout.to_string(), "pong timeout");
        assert_eq!(WsError::MessageTooLarge { size: 9, max: 8 }.close_code(), Some(1009));
        assert_eq!(
            WsError::Protocol {
                code: 1007,
                reason: "x"
            }
            .close_code(),
            Some(1007)
        );
        assert_eq!(WsError::BadAccept.close_code(), None);
    }
}
