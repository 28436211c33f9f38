//! The opening handshake (RFC 6455 §4.1): the HTTP upgrade request and the checks on
//! the server's response.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::encoding::{base64_encode, sha1};
use super::{Url, WsError};

/// Largest handshake response header we buffer; a longer one fails the handshake.
pub const MAX_RESPONSE_HEADER: usize = 4096;

/// RFC 6455 §1.3: the GUID appended to the key before hashing.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` a server must answer to `key` (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut input = String::with_capacity(key.len() + GUID.len());
    input.push_str(key);
    input.push_str(GUID);
    let mut out = String::with_capacity(28);
    base64_encode(&sha1(input.as_bytes()), &mut out);
    out
}

/// Appends the upgrade request. `key` is the base64 of 16 random bytes; `basic_auth`
/// is (user, password): for OCPP (charge point id, AuthorizationKey).
pub(crate) fn write_request(
    out: &mut Vec<u8>,
    url: &Url,
    subprotocol: &str,
    basic_auth: Option<(&str, &str)>,
    key: &str,
) {
    let mut req = String::with_capacity(256);
    // Writing to a String cannot fail.
    let _ = write_request_text(&mut req, url, subprotocol, basic_auth, key);
    out.extend_from_slice(req.as_bytes());
}

fn write_request_text(
    req: &mut String,
    url: &Url,
    subprotocol: &str,
    basic_auth: Option<(&str, &str)>,
    key: &str,
) -> core::fmt::Result {
    write!(req, "GET {} HTTP/1.1\r\nHost: ", url.path)?;
    url.write_authority(req)?;
    req.push_str("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    req.push_str(key);
    req.push_str("\r\nSec-WebSocket-Version: 13\r\n");
    if !subprotocol.is_empty() {
        write!(req, "Sec-WebSocket-Protocol: {subprotocol}\r\n")?;
    }
    if let Some((user, password)) = basic_auth {
        // RFC 7617: base64 of "user:password"; OCPP security profile 1 user = charge point id.
        let mut credentials = String::with_capacity(user.len() + 1 + password.len());
        credentials.push_str(user);
        credentials.push(':');
        credentials.push_str(password);
        req.push_str("Authorization: Basic ");
        base64_encode(credentials.as_bytes(), req);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    Ok(())
}

/// The end of the header block (just past `\r\n\r\n`) in `buf`, searching from `from`.
pub(crate) fn header_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(3);
    buf.get(start..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| start + p + 4)
}

/// Checks a complete response header block (RFC 6455 §4.1, client requirements 1-6).
pub(crate) fn check_response(head: &[u8], expected_accept: &str, subprotocol: &str) -> Result<(), WsError> {
    let text = core::str::from_utf8(head).map_err(|_| WsError::BadResponse("not UTF-8"))?;
    // Lines end in CRLF (RFC 7230 §3); splitting on LF keeps the code small.
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status_line = lines.next().unwrap_or("");
    let status = parse_status(status_line)?;
    if status != 101 {
        return Err(WsError::HttpStatus(status));
    }
    let (mut upgrade, mut connection, mut accept_ok) = (false, false, false);
    let mut selected: Option<&str> = None;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or(WsError::BadResponse("header line without ':'"))?;
        let (name, value) = (ows_trim(name), ows_trim(value));
        if name.eq_ignore_ascii_case("upgrade") {
            upgrade = value.eq_ignore_ascii_case("websocket");
        } else if name.eq_ignore_ascii_case("connection") {
            connection = value.split(',').any(|t| ows_trim(t).eq_ignore_ascii_case("upgrade"));
        } else if name.eq_ignore_ascii_case("sec-websocket-accept") {
            accept_ok = value == expected_accept;
        } else if name.eq_ignore_ascii_case("sec-websocket-protocol") {
            selected = Some(value);
        } else if name.eq_ignore_ascii_case("sec-websocket-extensions") && !value.is_empty() {
            // §4.1 point 5: we offered no extension, so none may be in use.
            return Err(WsError::BadResponse("server selected an extension we did not offer"));
        }
    }
    if !upgrade {
        return Err(WsError::BadResponse("missing Upgrade: websocket"));
    }
    if !connection {
        return Err(WsError::BadResponse("missing Connection: Upgrade"));
    }
    if !accept_ok {
        return Err(WsError::BadAccept);
    }
    // §4.1 point 6: the server must select exactly what we offered, or nothing if we offered nothing.
    let wanted = if subprotocol.is_empty() {
        None
    } else {
        Some(subprotocol)
    };
    if selected != wanted {
        return Err(WsError::Subprotocol {
            selected: selected.map(String::from),
        });
    }
    Ok(())
}

/// Strips HTTP optional whitespace (RFC 7230 §3.2.3: spaces and tabs).
fn ows_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn parse_status(line: &str) -> Result<u16, WsError> {
    let bad = WsError::BadResponse("not an HTTP/1.1 status line");
    let rest = line.strip_prefix("HTTP/1.").ok_or(bad.clone())?;
    let code = rest.get(2..5).ok_or(bad.clone())?;
    if rest.get(1..2) != Some(" ") || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    code.parse().map_err(|_| bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn response(extra: &str) -> String {
        let mut s = String::from("HTTP/1.1 101 Switching Protocols\r\n");
        s.push_str(extra);
        s.push_str("\r\n");
        s
    }

    const OK_HEADERS: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: ocpp1.6\r\n";

    #[test]
    fn accept_key_matches_rfc_6455_example() {
        // RFC 6455 §1.3: SHA-1 b37a4f2c...c4ea, base64-encoded.
        assert_eq!(accept_key(KEY), ACCEPT);
    }

    #[test]
    fn request_has_every_header() {
        let url = Url::parse("ws://[::1]:9000/ocpp/CP_1").unwrap();
        let mut out = Vec::new();
        write_request(&mut out, &url, "ocpp1.6", Some(("CP_1", "0123456789abcdef")), KEY);
        let expected = "GET /ocpp/CP_1 HTTP/1.1\r\nHost: [::1]:9000\r\nUpgrade: websocket\r\n\
            Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
            Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\
            Authorization: Basic Q1BfMTowMTIzNDU2Nzg5YWJjZGVm\r\n\r\n";
        assert_eq!(core::str::from_utf8(&out), Ok(expected));
        let url = Url::parse("wss://csms:443/x").unwrap();
        out.clear();
        write_request(&mut out, &url, "", None, KEY);
        let text = core::str::from_utf8(&out).unwrap();
        assert!(text.starts_with("GET /x HTTP/1.1\r\nHost: csms\r\n"));
        assert!(!text.contains("Protocol") && !text.contains("Authorization"));
    }

    #[test]
    fn accepts_a_good_response_in_any_case() {
        assert_eq!(
            check_response(response(OK_HEADERS).as_bytes(), ACCEPT, "ocpp1.6"),
            Ok(())
        );
        let lower = "upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n\
            sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nsec-websocket-protocol:  ocpp1.6 \r\n";
        assert_eq!(check_response(response(lower).as_bytes(), ACCEPT, "ocpp1.6"), Ok(()));
    }

    #[test]
    fn refusals_carry_the_status() {
        let r = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n";
        assert_eq!(check_response(r, ACCEPT, "ocpp1.6"), Err(WsError::HttpStatus(401)));
        let r = b"HTTP/1.0 404 Not Found\r\n\r\n";
        assert_eq!(check_response(r, ACCEPT, "ocpp1.6"), Err(WsError::HttpStatus(404)));
        for bad in [
            &b"HTTP/2 101\r\n\r\n"[..],
            b"HTTP/1.1 1x1 OK\r\n\r\n",
            b"\r\n\r\n",
            b"HTTP/1.1  101\r\n\r\n",
        ] {
            assert!(matches!(
                check_response(bad, ACCEPT, "ocpp1.6"),
                Err(WsError::BadResponse(_))
            ));
        }
    }

    #[test]
    fn subprotocol_must_be_the_one_offered() {
        let none = OK_HEADERS.replace("Sec-WebSocket-Protocol: ocpp1.6\r\n", "");
        assert_eq!(
            check_response(response(&none).as_bytes(), ACCEPT, "ocpp1.6"),
            Err(WsError::Subprotocol { selected: None })
        );
        let other = OK_HEADERS.replace("ocpp1.6", "ocpp2.0.1");
        assert_eq!(
            check_response(response(&other).as_bytes(), ACCEPT, "ocpp1.6"),
            Err(WsError::Subprotocol {
                selected: Some("ocpp2.0.1".into())
            })
        );
        assert_eq!(check_response(response(&none).as_bytes(), ACCEPT, ""), Ok(()));
    }

    #[test]
    fn rejects_wrong_accept_and_missing_upgrade() {
        let wrong = OK_HEADERS.replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assert_eq!(
            check_response(response(&wrong).as_bytes(), ACCEPT, "ocpp1.6"),
            Err(WsError::BadAccept)
        );
        let no_upgrade = OK_HEADERS.replace("Upgrade: websocket\r\n", "");
        assert!(matches!(
            check_response(response(&no_upgrade).as_bytes(), ACCEPT, "ocpp1.6"),
            Err(WsError::BadResponse(_))
        ));
        let ext = alloc::format!("{OK_HEADERS}Sec-WebSocket-Extensions: permessage-deflate\r\n");
        assert!(matches!(
            check_response(response(&ext).as_bytes(), ACCEPT, "ocpp1.6"),
            Err(WsError::BadResponse(_))
        ));
    }

    #[test]
    fn finds_the_header_end_across_reads() {
        let buf = b"HTTP/1.1 101 X\r\nA: b\r\n\r\n\x81\x00";
        assert_eq!(header_end(buf, 0), Some(24));
        assert_eq!(header_end(buf, 22), Some(24));
        assert_eq!(header_end(&buf[..23], 0), None);
    }
}
