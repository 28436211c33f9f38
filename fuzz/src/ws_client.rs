//! Target `ws_client`: [`Client::handle_bytes`] with an arbitrary server-side byte stream
//! (handshake response, frame headers, payloads, control frames, close).
//!
//! Input: the first byte is a set of flags, the rest is the server's byte stream.
//! - bit 0: `max_message_size` 64 instead of [`DEFAULT_MAX_MESSAGE_SIZE`];
//! - bit 1: the stream is the whole server side, handshake response included (the text
//!   `{ACCEPT}` in it is replaced by the right `Sec-WebSocket-Accept` value); otherwise a
//!   valid handshake response is put in front and the stream is frames only;
//! - bits 2..8: chunk size for the second client (0: one byte at a time).
//!
//! Invariants:
//! - the same bytes fed at once and in chunks give the same events, state, first error and
//!   outgoing bytes (the parser keeps no state in the way it was called);
//! - an error leaves the client Closed and later bytes are ignored;
//! - `Opened` comes first and at most once, `Closed` last and at most once; every text
//!   message fits `max_message_size`;
//! - what the client sends after the handshake is well-formed masked client frames: one pong
//!   per ping with its payload, then at most one close frame, last, whose code is the one
//!   reported in `Closed`; after the client echoed a text message, it decodes to that text.

use ocpp_cp::rand::{Random, XorShift32};
use ocpp_cp::ws::{accept_key, Client, ClientConfig, ClientState, Url, WsError, WsEvent, DEFAULT_MAX_MESSAGE_SIZE};

const SEED: u32 = 0x0CC9_16F5;

/// One client frame as sent: (fin, opcode, unmasked payload).
type ClientFrame = (bool, u8, Vec<u8>);

/// Decodes what a client sent: every frame must be masked and complete.
pub fn client_frames(mut bytes: &[u8]) -> Vec<ClientFrame> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let (b0, b1) = match bytes {
            [b0, b1, ..] => (*b0, *b1),
            _ => panic!("truncated client frame header: {bytes:?}"),
        };
        assert_eq!(b0 & 0x70, 0, "client set a reserved bit");
        assert!(b1 & 0x80 != 0, "client frame not masked (RFC 6455 §5.3)");
        let (len, at) = match b1 & 0x7F {
            126 => (u64::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
            127 => (u64::from_be_bytes(bytes[2..10].try_into().unwrap_or_default()), 10),
            n => (u64::from(n), 2),
        };
        // §5.2: the minimal length encoding.
        match at {
            4 => assert!(len >= 126, "16-bit length for {len} bytes"),
            10 => assert!(len > 0xFFFF, "64-bit length for {len} bytes"),
            _ => {}
        }
        let len = usize::try_from(len).expect("length fits");
        let mask: [u8; 4] = bytes[at..at + 4].try_into().unwrap_or_default();
        let payload: Vec<u8> = bytes[at + 4..at + 4 + len]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4])
            .collect();
        frames.push((b0 & 0x80 != 0, b0 & 0x0F, payload));
        bytes = &bytes[at + 4 + len..];
    }
    frames
}

struct Run {
    events: Vec<WsEvent>,
    first_error: Option<WsError>,
    state: ClientState,
    sent: Vec<u8>,
}

/// A fresh client, its handshake request already taken off `outgoing`, and the right
/// `Sec-WebSocket-Accept` for it.
fn new_client(max: usize, rng: &mut XorShift32) -> (Client, String) {
    let url = Url::parse("ws://csms.example:9000/ocpp/CP_1").expect("valid URL");
    let mut config = ClientConfig::new(url);
    config.max_message_size = max;
    config.basic_auth = Some(("CP_1".into(), "0123456789abcdef".into()));
    let mut client = Client::new(&config, rng);
    let request = String::from_utf8(client.outgoing().to_vec()).expect("request is text");
    let key = request
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("request has a key");
    let accept = accept_key(key);
    let n = client.outgoing().len();
    client.consume_outgoing(n);
    (client, accept)
}

fn run(client: &mut Client, stream: &[u8], chunk: usize, rng: &mut dyn Random) -> Run {
    let mut first_error = None;
    let mut events = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        let closed_before = client.state() == ClientState::Closed;
        let r = client.handle_bytes(piece, rng);
        if closed_before {
            assert_eq!(r, Ok(()), "bytes after Closed must be ignored");
        }
        if let Err(e) = r {
            assert_eq!(client.state(), ClientState::Closed, "error {e:?} left the client open");
            first_error.get_or_insert(e);
        }
        while let Some(ev) = client.poll_event() {
            events.push(ev);
        }
    }
    Run {
        events,
        first_error,
        state: client.state(),
        sent: client.outgoing().to_vec(),
    }
}

/// The `ws_client` fuzz target.
pub fn ws_client(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let max = if flags & 1 != 0 { 64 } else { DEFAULT_MAX_MESSAGE_SIZE };
    let chunk = usize::from(flags >> 2);

    let mut rng_a = XorShift32::new(SEED);
    let mut rng_b = rng_a.clone();
    let (mut a, accept) = new_client(max, &mut rng_a);
    let (mut b, _) = new_client(max, &mut rng_b);

    let stream: Vec<u8> = if flags & 2 != 0 {
        replace(rest, b"{ACCEPT}", accept.as_bytes())
    } else {
        let mut s = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
        )
        .into_bytes();
        s.extend_from_slice(rest);
        s
    };

    let whole = run(&mut a, &stream, stream.len(), &mut rng_a);
    let pieces = run(&mut b, &stream, chunk, &mut rng_b);
    assert_eq!(whole.events, pieces.events, "events depend on chunking ({chunk})");
    assert_eq!(
        whole.first_error, pieces.first_error,
        "error depends on chunking ({chunk})"
    );
    assert_eq!(whole.state, pieces.state);
    assert_eq!(whole.sent, pieces.sent, "sent bytes depend on chunking ({chunk})");

    check_events(&whole, max);
    check_sent(&whole);

    // Echo the texts back: the encoder must frame them so they decode to the same text.
    if a.state() == ClientState::Open {
        let texts: Vec<&String> = whole
            .events
            .iter()
            .filter_map(|e| match e {
                WsEvent::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        let n = a.outgoing().len();
        a.consume_outgoing(n);
        for t in &texts {
            a.send_text(t, &mut rng_a).expect("open client sends");
        }
        let frames = client_frames(a.outgoing());
        assert_eq!(frames.len(), texts.len());
        for ((fin, op, payload), t) in frames.iter().zip(&texts) {
            assert!(*fin && *op == 0x1, "text frame expected");
            assert_eq!(payload.as_slice(), t.as_bytes());
        }
    }
}

fn check_events(run: &Run, max: usize) {
    let opened = run.events.iter().filter(|e| matches!(e, WsEvent::Opened)).count();
    let closed = run
        .events
        .iter()
        .filter(|e| matches!(e, WsEvent::Closed { .. }))
        .count();
    assert!(opened <= 1 && closed <= 1, "{:?}", run.events);
    if opened == 1 {
        assert_eq!(run.events.first(), Some(&WsEvent::Opened));
    }
    if closed == 1 {
        assert!(
            matches!(run.events.last(), Some(WsEvent::Closed { .. })),
            "{:?}",
            run.events
        );
        assert_eq!(run.state, ClientState::Closed);
    }
    if opened == 0 {
        assert_eq!(
            run.events.len(),
            closed,
            "events before the handshake: {:?}",
            run.events
        );
    }
    for e in &run.events {
        match e {
            WsEvent::Text(t) => assert!(t.len() <= max, "text of {} bytes over {max}", t.len()),
            WsEvent::Ping(p) | WsEvent::Pong(p) => assert!(p.len() <= 125),
            WsEvent::Closed { code, reason } => {
                assert!(reason.len() <= 123, "close reason of {} bytes", reason.len());
                assert!(*code >= 1000, "close code {code}");
            }
            WsEvent::Opened => {}
        }
    }
    if run.first_error.is_some() {
        assert_eq!(run.state, ClientState::Closed);
    }
}

fn check_sent(run: &Run) {
    let frames = client_frames(&run.sent);
    let pings: Vec<&Vec<u8>> = run
        .events
        .iter()
        .filter_map(|e| match e {
            WsEvent::Ping(p) => Some(p),
            _ => None,
        })
        .collect();
    let (close, pongs) = match frames.split_last() {
        Some((last, before)) if last.1 == 0x8 => (Some(last), before),
        _ => (None, frames.as_slice()),
    };
    assert_eq!(pongs.len(), pings.len(), "one pong per ping");
    for ((fin, op, payload), ping) in pongs.iter().zip(&pings) {
        assert!(*fin && *op == 0xA, "only pongs before the close frame");
        assert_eq!(payload, *ping, "pong echoes the ping");
    }
    let reported = run.events.iter().find_map(|e| match e {
        WsEvent::Closed { code, .. } => Some(*code),
        _ => None,
    });
    match close {
        Some((fin, _, body)) => {
            assert!(*fin && body.len() <= 125 && body.len() != 1, "close body {body:?}");
            let code = match body.as_slice() {
                [] => 1005,
                [hi, lo, reason @ ..] => {
                    assert!(std::str::from_utf8(reason).is_ok(), "close reason not UTF-8");
                    u16::from_be_bytes([*hi, *lo])
                }
                _ => 0,
            };
            assert!(
                code == 1005 || matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999),
                "sent close code {code}"
            );
            assert_eq!(Some(code), reported, "close frame vs Closed event");
        }
        None => {
            // No close frame: the session never opened, or it is still open.
            let opened = run.events.contains(&WsEvent::Opened);
            assert!(
                !opened || reported.is_none(),
                "closed an open session without a close frame"
            );
        }
    }
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_runs_on_samples() {
        // Hello, a ping, fragmented text, a close with 1000.
        let frames: &[u8] = &[
            0x81, 0x05, b'H', b'e', b'l', b'l', b'o', 0x89, 0x02, b'h', b'i', 0x01, 0x01, b'a', 0x80, 0x01, b'b', 0x88,
            0x02, 0x03, 0xE8,
        ];
        for flags in [0u8, 1, 4, 0xFC] {
            let mut input = vec![flags];
            input.extend_from_slice(frames);
            ws_client(&input);
        }
        let mut input = vec![2u8];
        input.extend_from_slice(
            b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\
              Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n\x81\x01x",
        );
        ws_client(&input);
    }
}
