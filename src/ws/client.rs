//! [`Client`]: one WebSocket session over one byte stream, sans-IO.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::encoding::base64_encode;
use super::frame::{close_code, write_frame, FrameHeader, OpCode, MAX_CONTROL_PAYLOAD, MAX_HEADER};
use super::handshake::{accept_key, check_response, header_end, write_request, MAX_RESPONSE_HEADER};
use super::{Url, WsError};
use crate::rand::Random;

/// Default cap on one incoming message: room for large OCPP payloads (SendLocalList,
/// SetChargingProfile) while bounding memory on a microcontroller.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024;

/// What a [`Client`] needs to open a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The central system's URL, charge point id included in the path.
    pub url: Url,
    /// The subprotocol to ask for and insist on: `"ocpp1.6"`; empty asks for none.
    pub subprotocol: String,
    /// HTTP Basic credentials (OCPP security profile 1/2): (charge point id, AuthorizationKey).
    pub basic_auth: Option<(String, String)>,
    /// Largest incoming message accepted; a larger one closes the session with 1009.
    pub max_message_size: usize,
}

impl ClientConfig {
    /// `url` with subprotocol `ocpp1.6`, no credentials and [`DEFAULT_MAX_MESSAGE_SIZE`].
    pub fn new(url: Url) -> ClientConfig {
        ClientConfig {
            url,
            subprotocol: String::from("ocpp1.6"),
            basic_auth: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }

    /// Checks what could not go into a valid upgrade request.
    pub fn validate(&self) -> Result<(), WsError> {
        // RFC 6455 §4.1: a subprotocol is an RFC 2616 token.
        let token = |b: u8| (0x21..=0x7e).contains(&b) && !b"()<>@,;:\\\"/[]?={}".contains(&b);
        if !self.subprotocol.bytes().all(token) {
            return Err(WsError::InvalidConfig("subprotocol is not an HTTP token"));
        }
        if let Some((user, password)) = &self.basic_auth {
            // RFC 7617 §2: the user-id cannot contain ':'; neither part control characters.
            if user.contains(':') {
                return Err(WsError::InvalidConfig("Basic auth user (charge point id) contains ':'"));
            }
            if user.chars().chain(password.chars()).any(char::is_control) {
                return Err(WsError::InvalidConfig(
                    "Basic auth credentials contain a control character",
                ));
            }
        }
        if self.max_message_size == 0 {
            return Err(WsError::InvalidConfig("max_message_size is 0"));
        }
        Ok(())
    }
}

/// Where a [`Client`] session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientState {
    /// The upgrade request is queued or sent; waiting for the response.
    Handshaking,
    /// Messages flow both ways.
    Open,
    /// We sent a close frame and wait for the server's.
    Closing,
    /// The session is over; the host should flush [`Client::outgoing`] and close the socket.
    Closed,
}

/// What a [`Client`] reports, in order, through [`Client::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsEvent {
    /// The handshake succeeded.
    Opened,
    /// A complete text message (fragments reassembled, UTF-8 checked).
    Text(String),
    /// The server pinged; the pong is already queued.
    Ping(Vec<u8>),
    /// The server answered a ping.
    Pong(Vec<u8>),
    /// The session closed: the server's close code (1005 when it gave none), or the code we
    /// closed with after a protocol violation.
    Closed {
        /// RFC 6455 §7.4 status code.
        code: u16,
        /// The close reason text.
        reason: String,
    },
}

/// The frame being received: its header and the payload bytes still to come.
#[derive(Clone, Copy, Debug)]
struct InFrame {
    header: FrameHeader,
    remaining: u64,
}

/// One WebSocket client session (RFC 6455) over one byte stream, without I/O.
///
/// Inputs: [`Client::handle_bytes`] with what the socket delivered. Commands:
/// [`Client::send_text`], [`Client::send_ping`], [`Client::close`]. Outputs:
/// [`Client::outgoing`] (bytes for the socket, then [`Client::consume_outgoing`]) and
/// [`Client::poll_event`]. Pings are answered and a server's close is echoed by itself.
/// Memory is bounded: the response header by [`MAX_RESPONSE_HEADER`], a message by
/// `max_message_size`, checked from each frame header before any payload is buffered.
#[derive(Debug)]
pub struct Client {
    state: ClientState,
    subprotocol: String,
    expected_accept: String,
    max_message_size: usize,
    config_error: Option<WsError>,
    response: Vec<u8>,
    header: [u8; MAX_HEADER],
    header_len: usize,
    frame: Option<InFrame>,
    message: Vec<u8>,
    in_message: bool,
    control: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<WsEvent>,
}

impl Client {
    /// A session for `config`, with the HTTP upgrade request already queued in
    /// [`Client::outgoing`]; `rng` makes the `Sec-WebSocket-Key`.
    ///
    /// An invalid configuration ([`ClientConfig::validate`]) gives a client that queues
    /// nothing, is [`ClientState::Closed`] and returns the error from `handle_bytes`.
    pub fn new(config: &ClientConfig, rng: &mut dyn Random) -> Client {
        // RFC 6455 §4.1: the key is 16 random bytes, base64-encoded.
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        let mut key = String::with_capacity(24);
        base64_encode(&nonce, &mut key);
        let mut client = Client {
            state: ClientState::Handshaking,
            subprotocol: config.subprotocol.clone(),
            expected_accept: accept_key(&key),
            max_message_size: config.max_message_size,
            config_error: None,
            response: Vec::new(),
            header: [0; MAX_HEADER],
            header_len: 0,
            frame: None,
            message: Vec::new(),
            in_message: false,
            control: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
        };
        match config.validate() {
            Ok(()) => {
                let auth = config.basic_auth.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
                write_request(&mut client.out, &config.url, &config.subprotocol, auth, &key);
            }
            Err(e) => {
                client.state = ClientState::Closed;
                client.config_error = Some(e);
            }
        }
        client
    }

    /// Where the session is.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The largest incoming message this session accepts.
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// Feeds bytes read from the socket. `rng` masks any frame this queues (pong, close).
    ///
    /// An error ends the session (state [`ClientState::Closed`]): a handshake failure
    /// queues nothing; a protocol violation or an oversize message queues a close frame
    /// with its RFC 6455 code and also reports [`WsEvent::Closed`]. Bytes after the
    /// session closed are ignored.
    pub fn handle_bytes(&mut self, data: &[u8], rng: &mut dyn Random) -> Result<(), WsError> {
        if let Some(e) = &self.config_error {
            return Err(e.clone());
        }
        match self.state {
            ClientState::Closed => Ok(()),
            ClientState::Handshaking => self.read_handshake(data, rng),
            ClientState::Open | ClientState::Closing => self.read_frames(data, rng),
        }
    }

    /// Sends a text message in one frame.
    pub fn send_text(&mut self, text: &str, rng: &mut dyn Random) -> Result<(), WsError> {
        if self.state != ClientState::Open {
            return Err(WsError::NotOpen);
        }
        self.queue_frame(OpCode::Text, text.as_bytes(), rng);
        Ok(())
    }

    /// Sends a ping with `payload` (at most 125 bytes).
    pub fn send_ping(&mut self, payload: &[u8], rng: &mut dyn Random) -> Result<(), WsError> {
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(WsError::ControlTooLong);
        }
        if self.state != ClientState::Open {
            return Err(WsError::NotOpen);
        }
        self.queue_frame(OpCode::Ping, payload, rng);
        Ok(())
    }

    /// Starts the close handshake with `code` and `reason` (cut to 123 bytes).
    ///
    /// Codes an endpoint may not send (RFC 6455 §7.4: below 1000, 1004-1006, 1015, ...)
    /// are replaced by 1000. Before the session opened this just ends it; after it
    /// closed it does nothing.
    pub fn close(&mut self, code: u16, reason: &str, rng: &mut dyn Random) {
        match self.state {
            ClientState::Open => {
                let code = if sendable_code(code) { code } else { close_code::NORMAL };
                self.queue_close(code, reason, rng);
                self.state = ClientState::Closing;
            }
            ClientState::Handshaking => self.state = ClientState::Closed,
            ClientState::Closing | ClientState::Closed => {}
        }
    }

    /// Bytes waiting to be written to the socket.
    pub fn outgoing(&self) -> &[u8] {
        &self.out
    }

    /// Drops the first `n` bytes of [`Client::outgoing`] once the socket took them.
    pub fn consume_outgoing(&mut self, n: usize) {
        let n = n.min(self.out.len());
        self.out.drain(..n);
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<WsEvent> {
        self.events.pop_front()
    }

    fn read_handshake(&mut self, data: &[u8], rng: &mut dyn Random) -> Result<(), WsError> {
        let from = self.response.len();
        let take = MAX_RESPONSE_HEADER.saturating_sub(from).min(data.len());
        let (head, rest) = data.split_at(take);
        self.response.extend_from_slice(head);
        let Some(end) = header_end(&self.response, from) else {
            if self.response.len() >= MAX_RESPONSE_HEADER {
                self.state = ClientState::Closed;
                self.response = Vec::new();
                return Err(WsError::ResponseTooLarge);
            }
            return Ok(());
        };
        // Frames may follow the header in the same read.
        let mut early = self.response.split_off(end);
        let response = core::mem::take(&mut self.response);
        if let Err(e) = check_response(&response, &self.expected_accept, &self.subprotocol) {
            self.state = ClientState::Closed;
            return Err(e);
        }
        self.state = ClientState::Open;
        self.events.push_back(WsEvent::Opened);
        early.extend_from_slice(rest);
        self.read_frames(&early, rng)
    }

    fn read_frames(&mut self, data: &[u8], rng: &mut dyn Random) -> Result<(), WsError> {
        let mut input = data;
        loop {
            if self.state == ClientState::Closed {
                return Ok(());
            }
            if let Some(frame) = self.frame.as_mut() {
                let take = usize::try_from(frame.remaining).unwrap_or(usize::MAX).min(input.len());
                let (chunk, rest) = input.split_at(take);
                input = rest;
                frame.remaining -= take as u64;
                let header = frame.header;
                let done = frame.remaining == 0;
                if header.opcode.is_control() {
                    self.control.extend_from_slice(chunk);
                } else {
                    self.message.extend_from_slice(chunk);
                }
                if !done {
                    return Ok(());
                }
                self.frame = None;
                self.finish_frame(header, rng)?;
                continue;
            }
            if input.is_empty() {
                return Ok(());
            }
            // Gather the header (at most 14 bytes) without touching the payload.
            let old = self.header_len;
            let take = (MAX_HEADER - old).min(input.len());
            for (dst, src) in self.header.iter_mut().skip(old).zip(input.iter().take(take)) {
                *dst = *src;
            }
            self.header_len = old + take;
            let parsed = FrameHeader::parse(self.header.get(..self.header_len).unwrap_or(&[]));
            match parsed {
                Err(e) => return Err(self.fail(e, rng)),
                Ok(None) => return Ok(()),
                Ok(Some((header, used))) => {
                    input = input.get(used.saturating_sub(old)..).unwrap_or(&[]);
                    self.header_len = 0;
                    self.start_frame(header, rng)?;
                }
            }
        }
    }

    /// Checks a frame header against the session before any of its payload is kept.
    fn start_frame(&mut self, header: FrameHeader, rng: &mut dyn Random) -> Result<(), WsError> {
        let protocol = |reason| WsError::Protocol {
            code: close_code::PROTOCOL_ERROR,
            reason,
        };
        if header.mask.is_some() {
            // RFC 6455 §5.1: a client must close on a masked frame from the server.
            return Err(self.fail(protocol("masked frame from the server"), rng));
        }
        match header.opcode {
            OpCode::Binary => {
                // OCPP-J 1.6: RPC messages are JSON in text frames; binary has no meaning.
                let e = WsError::Protocol {
                    code: close_code::UNSUPPORTED_DATA,
                    reason: "binary message (OCPP-J is text only)",
                };
                return Err(self.fail(e, rng));
            }
            OpCode::Text if self.in_message => {
                return Err(self.fail(protocol("new message inside a fragmented one"), rng));
            }
            OpCode::Continuation if !self.in_message => {
                return Err(self.fail(protocol("continuation frame without a message"), rng));
            }
            OpCode::Text | OpCode::Continuation => {
                let size = (self.message.len() as u64).saturating_add(header.len);
                if size > self.max_message_size as u64 {
                    let e = WsError::MessageTooLarge {
                        size,
                        max: self.max_message_size,
                    };
                    return Err(self.fail(e, rng));
                }
                self.in_message = true;
            }
            OpCode::Close | OpCode::Ping | OpCode::Pong => self.control.clear(),
        }
        self.frame = Some(InFrame {
            header,
            remaining: header.len,
        });
        Ok(())
    }

    fn finish_frame(&mut self, header: FrameHeader, rng: &mut dyn Random) -> Result<(), WsError> {
        match header.opcode {
            OpCode::Text | OpCode::Continuation => {
                if header.fin {
                    self.in_message = false;
                    let bytes = core::mem::take(&mut self.message);
                    match String::from_utf8(bytes) {
                        Ok(text) => self.events.push_back(WsEvent::Text(text)),
                        Err(_) => {
                            let e = WsError::Protocol {
                                code: close_code::INVALID_PAYLOAD,
                                reason: "invalid UTF-8 in a text message",
                            };
                            return Err(self.fail(e, rng));
                        }
                    }
                }
            }
            OpCode::Ping => {
                let payload = core::mem::take(&mut self.control);
                // §5.5.2: answer with a pong carrying the same data (not once we sent close).
                if self.state == ClientState::Open {
                    self.queue_frame(OpCode::Pong, &payload, rng);
                }
                self.events.push_back(WsEvent::Ping(payload));
            }
            OpCode::Pong => {
                let payload = core::mem::take(&mut self.control);
                self.events.push_back(WsEvent::Pong(payload));
            }
            OpCode::Close => return self.receive_close(rng),
            OpCode::Binary => {}
        }
        Ok(())
    }

    fn receive_close(&mut self, rng: &mut dyn Random) -> Result<(), WsError> {
        let body = core::mem::take(&mut self.control);
        let (code, reason) = match body.as_slice() {
            [] => (close_code::NO_STATUS, String::new()),
            [_] => {
                let e = WsError::Protocol {
                    code: close_code::PROTOCOL_ERROR,
                    reason: "close frame with a 1-byte body",
                };
                return Err(self.fail(e, rng));
            }
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                if !sendable_code(code) {
                    let e = WsError::Protocol {
                        code: close_code::PROTOCOL_ERROR,
                        reason: "invalid close code",
                    };
                    return Err(self.fail(e, rng));
                }
                match core::str::from_utf8(reason) {
                    Ok(r) => (code, String::from(r)),
                    Err(_) => {
                        let e = WsError::Protocol {
                            code: close_code::INVALID_PAYLOAD,
                            reason: "invalid UTF-8 in the close reason",
                        };
                        return Err(self.fail(e, rng));
                    }
                }
            }
        };
        if self.state == ClientState::Open {
            // §5.5.1: answer a close with a close, echoing the status code.
            if code == close_code::NO_STATUS {
                self.queue_frame(OpCode::Close, &[], rng);
            } else {
                self.queue_close(code, "", rng);
            }
        }
        self.state = ClientState::Closed;
        self.events.push_back(WsEvent::Closed { code, reason });
        Ok(())
    }

    /// Fails the session (§7.1.7): close frame with the error's code, state Closed.
    fn fail(&mut self, error: WsError, rng: &mut dyn Random) -> WsError {
        let code = error.close_code().unwrap_or(close_code::PROTOCOL_ERROR);
        let reason = match &error {
            WsError::Protocol { reason, .. } => reason,
            WsError::MessageTooLarge { .. } => "message too big",
            _ => "",
        };
        if self.state == ClientState::Open {
            self.queue_close(code, reason, rng);
        }
        self.state = ClientState::Closed;
        self.frame = None;
        self.message = Vec::new();
        self.control = Vec::new();
        self.events.push_back(WsEvent::Closed {
            code,
            reason: String::from(reason),
        });
        error
    }

    fn queue_close(&mut self, code: u16, reason: &str, rng: &mut dyn Random) {
        // §5.5: a control payload is at most 125 bytes: 2 for the code, 123 for the reason.
        let mut cut = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut body = [0u8; MAX_CONTROL_PAYLOAD];
        let text = reason.as_bytes().get(..cut).unwrap_or(&[]);
        for (dst, src) in body.iter_mut().zip(code.to_be_bytes().iter().chain(text)) {
            *dst = *src;
        }
        self.queue_frame(OpCode::Close, body.get(..2 + cut).unwrap_or(&[]), rng);
    }

    fn queue_frame(&mut self, opcode: OpCode, payload: &[u8], rng: &mut dyn Random) {
        // §5.3: a fresh unpredictable mask for every frame.
        let mut mask = [0u8; 4];
        rng.fill_bytes(&mut mask);
        write_frame(&mut self.out, true, opcode, payload, mask);
    }
}

/// Close codes an endpoint may put in a close frame (RFC 6455 §7.4.1, §7.4.2, IANA registry).
fn sendable_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::XorShift32;
    use alloc::vec;

    /// A source that always gives the RFC 6455 §5.7 mask 37 fa 21 3d.
    struct FixedMask;
    impl Random for FixedMask {
        fn next_u32(&mut self) -> u32 {
            u32::from_le_bytes([0x37, 0xfa, 0x21, 0x3d])
        }
    }

    fn config(max: usize) -> ClientConfig {
        let mut c = ClientConfig::new(Url::parse("ws://127.0.0.1:9000/CP_1").unwrap());
        c.max_message_size = max;
        c
    }

    /// The response a correct server gives to the client's queued request.
    fn server_response(client: &Client) -> Vec<u8> {
        let req = core::str::from_utf8(client.outgoing()).unwrap();
        let key = req.lines().find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ")).unwrap();
        alloc::format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
            accept_key(key)
        )
        .into_bytes()
    }

    fn open_client(max: usize, rng: &mut dyn Random) -> Client {
        let mut c = Client::new(&config(max), rng);
        let resp = server_response(&c);
        let n = c.outgoing().len();
        c.consume_outgoing(n);
        c.handle_bytes(&resp, rng).unwrap();
        assert_eq!(c.poll_event(), Some(WsEvent::Opened));
        c
    }

    /// Decodes the client's masked frames: (opcode, fin, unmasked payload).
    fn client_frames(mut bytes: &[u8]) -> Vec<(OpCode, bool, Vec<u8>)> {
        let mut frames = Vec::new();
        while !bytes.is_empty() {
            let (h, n) = FrameHeader::parse(bytes).unwrap().unwrap();
            let mask = h.mask.expect("client frames are masked");
            let len = h.len as usize;
            let mut payload = bytes[n..n + len].to_vec();
            super::super::frame::apply_mask(&mut payload, mask, 0);
            frames.push((h.opcode, h.fin, payload));
            bytes = &bytes[n + len..];
        }
        frames
    }

    fn close_body(code: u16, reason: &str) -> Vec<u8> {
        let mut b = code.to_be_bytes().to_vec();
        b.extend_from_slice(reason.as_bytes());
        b
    }

    #[test]
    fn handshake_then_frames_in_the_same_read() {
        let mut rng = XorShift32::new(7);
        let mut c = Client::new(&config(1024), &mut rng);
        assert_eq!(c.state(), ClientState::Handshaking);
        assert!(c
            .outgoing()
            .starts_with(b"GET /CP_1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"));
        let mut input = server_response(&c);
        input.extend_from_slice(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        c.handle_bytes(&input, &mut rng).unwrap();
        assert_eq!(c.state(), ClientState::Open);
        assert_eq!(c.poll_event(), Some(WsEvent::Opened));
        assert_eq!(c.poll_event(), Some(WsEvent::Text("Hello".into())));
        assert_eq!(c.poll_event(), None);
    }

    #[test]
    fn handshake_byte_by_byte() {
        let mut rng = XorShift32::new(8);
        let mut c = Client::new(&config(1024), &mut rng);
        for b in server_response(&c) {
            assert_eq!(c.poll_event(), None);
            c.handle_bytes(&[b], &mut rng).unwrap();
        }
        assert_eq!(c.poll_event(), Some(WsEvent::Opened));
    }

    #[test]
    fn refused_handshake_reports_the_status() {
        let mut rng = XorShift32::new(9);
        let mut c = Client::new(&config(1024), &mut rng);
        let r = c.handle_bytes(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", &mut rng);
        assert_eq!(r, Err(WsError::HttpStatus(401)));
        assert_eq!(c.state(), ClientState::Closed);
        let mut c = Client::new(&config(1024), &mut rng);
        let mut resp = server_response(&c);
        resp = String::from_utf8(resp)
            .unwrap()
            .replace("Sec-WebSocket-Protocol: ocpp1.6\r\n", "")
            .into_bytes();
        assert_eq!(
            c.handle_bytes(&resp, &mut rng),
            Err(WsError::Subprotocol { selected: None })
        );
    }

    #[test]
    fn oversized_response_header_is_refused() {
        let mut rng = XorShift32::new(10);
        let mut c = Client::new(&config(1024), &mut rng);
        let mut r = Ok(());
        for _ in 0..100 {
            r = c.handle_bytes(&[b'a'; 100], &mut rng);
            if r.is_err() {
                break;
            }
        }
        assert_eq!(r, Err(WsError::ResponseTooLarge));
        assert!(c.response.capacity() <= MAX_RESPONSE_HEADER * 2);
    }

    #[test]
    fn sends_the_rfc_masked_hello() {
        let mut rng = FixedMask;
        let mut c = open_client(1024, &mut rng);
        c.send_text("Hello", &mut rng).unwrap();
        assert_eq!(
            c.outgoing(),
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        c.consume_outgoing(3);
        assert_eq!(c.outgoing().len(), 8);
        c.consume_outgoing(100);
        assert!(c.outgoing().is_empty());
    }

    #[test]
    fn reassembles_fragments_with_a_ping_in_between_byte_by_byte() {
        let mut rng = XorShift32::new(11);
        let mut c = open_client(1024, &mut rng);
        // §5.4: control frames may be injected between fragments; §5.7 "Hel" + "lo".
        let wire = [
            0x01, 0x03, 0x48, 0x65, 0x6c, // "Hel", not final
            0x89, 0x02, 0x68, 0x69, // ping "hi"
            0x80, 0x02, 0x6c, 0x6f, // "lo", final
        ];
        for b in wire {
            c.handle_bytes(&[b], &mut rng).unwrap();
        }
        assert_eq!(c.poll_event(), Some(WsEvent::Ping(b"hi".to_vec())));
        assert_eq!(c.poll_event(), Some(WsEvent::Text("Hello".into())));
        assert_eq!(client_frames(c.outgoing()), vec![(OpCode::Pong, true, b"hi".to_vec())]);
    }

    #[test]
    fn empty_frames_and_pongs() {
        let mut rng = XorShift32::new(12);
        let mut c = open_client(1024, &mut rng);
        c.handle_bytes(&[0x81, 0x00, 0x8A, 0x01, 0x7a, 0x89, 0x00], &mut rng)
            .unwrap();
        assert_eq!(c.poll_event(), Some(WsEvent::Text(String::new())));
        assert_eq!(c.poll_event(), Some(WsEvent::Pong(b"z".to_vec())));
        assert_eq!(c.poll_event(), Some(WsEvent::Ping(Vec::new())));
        c.send_ping(b"p", &mut rng).unwrap();
        assert_eq!(
            client_frames(c.outgoing()),
            vec![(OpCode::Pong, true, Vec::new()), (OpCode::Ping, true, b"p".to_vec())]
        );
        assert_eq!(c.send_ping(&[0; 126], &mut rng), Err(WsError::ControlTooLong));
    }

    fn violation(max: usize, wire: &[u8]) -> (Result<(), WsError>, Client) {
        let mut rng = XorShift32::new(13);
        let mut c = open_client(max, &mut rng);
        let r = c.handle_bytes(wire, &mut rng);
        (r, c)
    }

    fn sent_close_code(c: &Client) -> u16 {
        let frames = client_frames(c.outgoing());
        let (op, _, body) = frames.last().unwrap();
        assert_eq!(*op, OpCode::Close);
        u16::from_be_bytes([body[0], body[1]])
    }

    #[test]
    fn protocol_violations_close_with_the_right_code() {
        let cases: [(&[u8], u16); 8] = [
            (&[0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0], 1002), // masked from the server
            (&[0x82, 0x01, 0x00], 1003),                      // binary
            (&[0x81, 0x02, 0xC3, 0x28], 1007),                // invalid UTF-8
            (&[0x80, 0x01, 0x61], 1002),                      // continuation without a message
            (&[0x01, 0x01, 0x61, 0x81, 0x01, 0x61], 1002),    // new text inside a fragmented one
            (&[0xA1, 0x00], 1002),                            // RSV2
            (&[0x88, 0x01, 0x03], 1002),                      // 1-byte close body
            (&[0x88, 0x02, 0x03, 0xED], 1002),                // close code 1005 on the wire
        ];
        for (wire, code) in cases {
            let (r, mut c) = violation(1024, wire);
            assert_eq!(r.as_ref().err().and_then(WsError::close_code), Some(code), "{wire:?}");
            assert_eq!(c.state(), ClientState::Closed);
            assert_eq!(sent_close_code(&c), code);
            assert!(matches!(c.poll_event(), Some(WsEvent::Closed { code: c2, .. }) if c2 == code));
            // Nothing more is read once failed.
            c.handle_bytes(&[0x81, 0x01, 0x61], &mut FixedMask).unwrap();
            assert_eq!(c.poll_event(), None);
        }
    }

    #[test]
    fn oversize_is_refused_from_the_header_without_allocating() {
        // A header announcing 2^62 bytes: refused at once, nothing reserved.
        let wire = [0x81, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0];
        let (r, c) = violation(16, &wire);
        assert_eq!(r, Err(WsError::MessageTooLarge { size: 1 << 62, max: 16 }));
        assert_eq!(sent_close_code(&c), 1009);
        assert!(c.message.capacity() < 64);
        // Fragments that add up to more than the maximum: refused at the second header.
        let mut wire = vec![0x01, 10];
        wire.extend_from_slice(&[b'a'; 10]);
        wire.extend_from_slice(&[0x80, 7]);
        let (r, c) = violation(16, &wire);
        assert_eq!(r, Err(WsError::MessageTooLarge { size: 17, max: 16 }));
        assert_eq!(sent_close_code(&c), 1009);
        // Exactly the maximum is fine.
        let mut wire = vec![0x81, 16];
        wire.extend_from_slice(&[b'a'; 16]);
        assert_eq!(violation(16, &wire).0, Ok(()));
    }

    #[test]
    fn server_close_is_echoed() {
        let mut rng = XorShift32::new(14);
        let mut c = open_client(1024, &mut rng);
        let mut wire = vec![0x88, 5];
        wire.extend_from_slice(&close_body(1001, "bye"));
        c.handle_bytes(&wire, &mut rng).unwrap();
        assert_eq!(c.state(), ClientState::Closed);
        assert_eq!(
            c.poll_event(),
            Some(WsEvent::Closed {
                code: 1001,
                reason: "bye".into()
            })
        );
        assert_eq!(
            client_frames(c.outgoing()),
            vec![(OpCode::Close, true, close_body(1001, ""))]
        );
        assert_eq!(c.send_text("x", &mut rng), Err(WsError::NotOpen));

        let mut c = open_client(1024, &mut rng);
        c.handle_bytes(&[0x88, 0x00], &mut rng).unwrap();
        assert_eq!(
            c.poll_event(),
            Some(WsEvent::Closed {
                code: 1005,
                reason: String::new()
            })
        );
        assert_eq!(client_frames(c.outgoing()), vec![(OpCode::Close, true, Vec::new())]);
    }

    #[test]
    fn client_close_waits_for_the_server() {
        let mut rng = XorShift32::new(15);
        let mut c = open_client(1024, &mut rng);
        let long = "é".repeat(100);
        c.close(4001, &long, &mut rng);
        assert_eq!(c.state(), ClientState::Closing);
        let frames = client_frames(c.outgoing());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].2.len(), 124, "reason cut at a char boundary within 123 bytes");
        assert_eq!(sent_close_code(&c), 4001);
        // Data still arrives while closing; pings are no longer answered.
        let n = c.outgoing().len();
        c.consume_outgoing(n);
        c.handle_bytes(&[0x81, 0x01, 0x61, 0x89, 0x00], &mut rng).unwrap();
        assert_eq!(c.poll_event(), Some(WsEvent::Text("a".into())));
        assert_eq!(c.poll_event(), Some(WsEvent::Ping(Vec::new())));
        assert!(c.outgoing().is_empty());
        c.handle_bytes(&[0x88, 0x02, 0x0F, 0xA1], &mut rng).unwrap();
        assert_eq!(c.state(), ClientState::Closed);
        assert_eq!(
            c.poll_event(),
            Some(WsEvent::Closed {
                code: 4001,
                reason: String::new()
            })
        );
        assert!(c.outgoing().is_empty(), "no second close frame");

        let mut c = open_client(1024, &mut rng);
        c.close(1005, "", &mut rng);
        assert_eq!(sent_close_code(&c), 1000, "1005 may not be sent");
    }

    #[test]
    fn invalid_config_is_reported() {
        let mut rng = XorShift32::new(16);
        let mut cfg = config(1024);
        cfg.basic_auth = Some(("CP:1".into(), "0123456789abcdef".into()));
        assert!(cfg.validate().is_err());
        let mut c = Client::new(&cfg, &mut rng);
        assert!(c.outgoing().is_empty());
        assert_eq!(c.state(), ClientState::Closed);
        assert!(matches!(c.handle_bytes(b"x", &mut rng), Err(WsError::InvalidConfig(_))));
        let mut cfg = config(1024);
        cfg.subprotocol = "ocpp1.6\r\nX: y".into();
        assert!(cfg.validate().is_err());
        cfg.subprotocol = String::new();
        assert_eq!(cfg.validate(), Ok(()));
        cfg.max_message_size = 0;
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn sending_needs_an_open_session() {
        let mut rng = XorShift32::new(17);
        let mut c = Client::new(&config(1024), &mut rng);
        assert_eq!(c.send_text("x", &mut rng), Err(WsError::NotOpen));
        assert_eq!(c.send_ping(b"", &mut rng), Err(WsError::NotOpen));
        c.close(1000, "", &mut rng);
        assert_eq!(c.state(), ClientState::Closed);
    }
}
