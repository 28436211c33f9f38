//! [`Connection`]: keeps one [`Client`] session alive: tells the host when to open and
//! close its socket, reconnects with exponential backoff and jitter, pings at the
//! WebSocketPingInterval and notices a link that stays open but went silent.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;

use super::frame::close_code;
use super::{Client, ClientConfig, ClientState, WsError, WsEvent};
use crate::log::LogFn;
use crate::rand::{Random, XorShift32};
use crate::time::Instant;

/// Timing of a [`Connection`]. Every field is a bound the host may tune.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// First wait before reconnecting after a failure, in ms.
    pub backoff_min_ms: u64,
    /// Longest wait between attempts, in ms; waits double from the minimum up to this.
    pub backoff_max_ms: u64,
    /// Each wait is moved by up to this many percent either way (0-100), within the
    /// bounds above, so that chargers that lost the same server do not return together.
    pub jitter_percent: u8,
    /// How long the host may take to open its socket (TCP, and TLS for `wss://`), in ms.
    pub connect_timeout_ms: u64,
    /// How long the WebSocket upgrade may take once the socket is open, in ms.
    pub handshake_timeout_ms: u64,
    /// WebSocketPingInterval (OCPP 1.6 §9.1): seconds between our pings, 0 = no pings
    /// (the server may still ping; we always answer).
    pub ping_interval_s: u32,
    /// After a ping, how long to wait for a pong or any other data before declaring the
    /// link dead, in ms.
    pub pong_timeout_ms: u64,
    /// A connection that stayed up this long (ms) resets the backoff to the minimum.
    pub stable_after_ms: u64,
    /// After we (or the server) closed the session, how long to wait for the close
    /// handshake to finish before dropping the socket anyway, in ms.
    pub close_timeout_ms: u64,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            backoff_min_ms: 1_000,
            backoff_max_ms: 60_000,
            jitter_percent: 20,
            connect_timeout_ms: 10_000,
            handshake_timeout_ms: 10_000,
            ping_interval_s: 60,
            pong_timeout_ms: 10_000,
            stable_after_ms: 60_000,
            close_timeout_ms: 5_000,
        }
    }
}

/// What the host must do with its socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkAction {
    /// Open a TCP connection (TLS on top when `secure`), then call
    /// [`Connection::handle_socket_open`], or [`Connection::handle_socket_closed`] if
    /// that failed.
    Open {
        /// Host name or IP address (an IPv6 address without brackets).
        host: String,
        /// TCP port.
        port: u16,
        /// TLS (`wss://`).
        secure: bool,
    },
    /// Close the socket, after writing whatever [`Connection::outgoing`] held. Do not
    /// report that socket's closing through `handle_socket_closed`.
    Close,
}

/// What a [`Connection`] reports through [`Connection::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// The WebSocket session is open: OCPP messages can flow.
    Connected,
    /// The session that was open is gone; the reason in words. A new attempt follows
    /// unless [`Connection::disconnect`] was called.
    Disconnected {
        /// Why, e.g. "pong timeout" or "closed by the central system: 1001 restart".
        reason: String,
    },
    /// A text message from the central system.
    Text(String),
    /// Something failed: an attempt to connect (refused handshake, timeout, socket
    /// failure), or the session (protocol error, oversize message; a `Disconnected`
    /// follows).
    Error(WsError),
}

/// Where a [`Connection`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Offline on purpose ([`Connection::disconnect`]) or after an invalid configuration.
    Offline,
    /// Waiting for the next attempt.
    Waiting,
    /// The host is opening its socket.
    Connecting,
    /// The socket is open; the WebSocket upgrade is under way.
    Handshaking,
    /// The session is open.
    Connected,
    /// The session is closing; the socket will be closed.
    Closing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Offline,
    /// The next attempt is at `at`; until the jitter is drawn (in `handle_timeout`, which
    /// has an rng), only its earliest time and the spread are known.
    Backoff {
        earliest: Instant,
        spread_ms: u64,
        at: Option<Instant>,
    },
    Connecting {
        deadline: Instant,
    },
    Handshaking {
        deadline: Instant,
    },
    Open {
        last_ping: Instant,
        pong_deadline: Option<Instant>,
    },
    Closing {
        deadline: Instant,
    },
}

/// The sans-IO connection manager above [`Client`], driven with [`Instant`]s.
///
/// Host loop: act on [`Connection::poll_action`]; write [`Connection::outgoing`] to the
/// socket and [`Connection::consume_outgoing`] what was written; feed what it reads to
/// [`Connection::handle_bytes`]; report the socket opening / failing / reaching EOF;
/// drain [`Connection::poll_event`]; call [`Connection::handle_timeout`] once the
/// instant from [`Connection::poll_timeout`] has passed. Nothing here reads a clock.
///
/// Reconnects after any failure: waits grow from `backoff_min_ms` by doubling up to
/// `backoff_max_ms`, each moved by ±`jitter_percent`, and start again from the
/// minimum after a connection that stayed up `stable_after_ms`. Queued OCPP messages,
/// BootNotification and StatusNotification after a reconnect are the charge point's
/// business: this only reports [`ConnEvent::Connected`] and [`ConnEvent::Disconnected`].
#[derive(Debug)]
pub struct Connection {
    client_config: ClientConfig,
    config: ConnectionConfig,
    phase: Phase,
    client: Option<Client>,
    failures: u32,
    offline: bool,
    connected_since: Option<Instant>,
    actions: VecDeque<LinkAction>,
    events: VecDeque<ConnEvent>,
    /// Masks for frames sent from calls that take no rng (`disconnect`); reseeded from the
    /// injected rng at every socket open.
    mask_rng: XorShift32,
    log: Option<LogFn>,
}

impl Connection {
    /// A manager that connects as soon as [`Connection::poll_action`] is first called.
    pub fn new(client_config: ClientConfig, conn_config: ConnectionConfig) -> Connection {
        Connection {
            client_config,
            config: conn_config,
            phase: Phase::Backoff {
                earliest: Instant::ZERO,
                spread_ms: 0,
                at: Some(Instant::ZERO),
            },
            client: None,
            failures: 0,
            offline: false,
            connected_since: None,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            mask_rng: XorShift32::new(0),
            log: None,
        }
    }

    /// Routes log lines to `log` (connects, disconnects, failures).
    pub fn set_log(&mut self, log: Option<LogFn>) {
        self.log = log;
    }

    /// Where the connection is.
    pub fn state(&self) -> ConnState {
        match self.phase {
            Phase::Offline => ConnState::Offline,
            Phase::Backoff { .. } => ConnState::Waiting,
            Phase::Connecting { .. } => ConnState::Connecting,
            Phase::Handshaking { .. } => ConnState::Handshaking,
            Phase::Open { .. } => ConnState::Connected,
            Phase::Closing { .. } => ConnState::Closing,
        }
    }

    /// True while the WebSocket session is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Open { .. })
    }

    /// The WebSocket settings used at the next connect.
    pub fn client_config(&self) -> &ClientConfig {
        &self.client_config
    }

    /// The timing settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Changes WebSocketPingInterval (seconds, 0 = off); applies to the open session.
    pub fn set_ping_interval(&mut self, secs: u32) {
        self.config.ping_interval_s = secs;
        if secs == 0 {
            if let Phase::Open { pong_deadline, .. } = &mut self.phase {
                *pong_deadline = None;
            }
        }
    }

    /// Changes the HTTP Basic credentials (charge point id, AuthorizationKey); they are
    /// sent from the next connect on, the open session is kept.
    pub fn set_basic_auth(&mut self, auth: Option<(String, String)>) {
        self.client_config.basic_auth = auth;
    }

    /// The next thing the host must do with its socket.
    pub fn poll_action(&mut self, now: Instant) -> Option<LinkAction> {
        if let Some(action) = self.actions.pop_front() {
            return Some(action);
        }
        match self.phase {
            Phase::Backoff { at: Some(at), .. } if now >= at => {
                if let Err(e) = self.client_config.validate() {
                    crate::ocpp_log!(self.log, crate::log::Level::Error, "ws: {}", e);
                    self.events.push_back(ConnEvent::Error(e));
                    self.phase = Phase::Offline;
                    return None;
                }
                let url = &self.client_config.url;
                crate::ocpp_log!(self.log, crate::log::Level::Debug, "ws: connecting to {}", url);
                self.phase = Phase::Connecting {
                    deadline: now.plus_millis(self.config.connect_timeout_ms),
                };
                Some(LinkAction::Open {
                    host: url.host.clone(),
                    port: url.port,
                    secure: url.secure,
                })
            }
            Phase::Closing { .. } => {
                let done = self
                    .client
                    .as_ref()
                    .is_none_or(|c| c.state() == ClientState::Closed && c.outgoing().is_empty());
                if done {
                    self.link_down(now);
                    Some(LinkAction::Close)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The host's socket is open (TCP connected, TLS handshake done): starts the
    /// WebSocket upgrade; `rng` makes its key and masks.
    pub fn handle_socket_open(&mut self, now: Instant, rng: &mut dyn Random) {
        if !matches!(self.phase, Phase::Connecting { .. }) {
            return;
        }
        self.mask_rng = XorShift32::new(rng.next_u32());
        self.client = Some(Client::new(&self.client_config, rng));
        self.phase = Phase::Handshaking {
            deadline: now.plus_millis(self.config.handshake_timeout_ms),
        };
    }

    /// The host's socket failed to open, failed, or reached EOF.
    pub fn handle_socket_closed(&mut self, now: Instant) {
        match self.phase {
            Phase::Connecting { .. } | Phase::Handshaking { .. } => self.attempt_failed(now, WsError::SocketClosed),
            Phase::Open { .. } => {
                self.went_down(
                    now,
                    String::from("connection lost (socket closed without a close frame)"),
                );
                self.link_down(now);
            }
            Phase::Closing { .. } => self.link_down(now),
            Phase::Offline | Phase::Backoff { .. } => {}
        }
    }

    /// Feeds bytes read from the socket.
    pub fn handle_bytes(&mut self, now: Instant, data: &[u8], rng: &mut dyn Random) {
        let Some(client) = self.client.as_mut() else {
            return;
        };
        if let Phase::Open { pong_deadline, .. } = &mut self.phase {
            // Any data proves the link is alive, not only a pong.
            if !data.is_empty() {
                *pong_deadline = None;
            }
        }
        let result = client.handle_bytes(data, rng);
        while let Some(event) = self.client.as_mut().and_then(Client::poll_event) {
            match event {
                WsEvent::Opened => {
                    crate::ocpp_log!(
                        self.log,
                        crate::log::Level::Info,
                        "ws: connected to {}",
                        self.client_config.url
                    );
                    self.phase = Phase::Open {
                        last_ping: now,
                        pong_deadline: None,
                    };
                    self.connected_since = Some(now);
                    self.events.push_back(ConnEvent::Connected);
                }
                WsEvent::Text(text) => self.events.push_back(ConnEvent::Text(text)),
                WsEvent::Ping(_) | WsEvent::Pong(_) => {}
                WsEvent::Closed { code, reason } => {
                    if result.is_ok() && matches!(self.phase, Phase::Open { .. }) {
                        let why = format!("closed by the central system: {code} {reason}");
                        self.went_down(now, why);
                    }
                }
            }
        }
        match result {
            Err(e) if matches!(self.phase, Phase::Handshaking { .. }) => {
                self.attempt_failed(now, e);
                self.actions.push_back(LinkAction::Close);
            }
            Err(e) => {
                crate::ocpp_log!(self.log, crate::log::Level::Warn, "ws: {}", e);
                let why = format!("{e}");
                self.events.push_back(ConnEvent::Error(e));
                self.went_down(now, why);
                self.start_closing(now);
            }
            Ok(()) => {
                let closed = self.client.as_ref().is_some_and(|c| c.state() == ClientState::Closed);
                if closed && matches!(self.phase, Phase::Open { .. }) {
                    self.start_closing(now);
                }
            }
        }
    }

    /// Sends a text message on the open session.
    pub fn send_text(&mut self, now: Instant, text: &str, rng: &mut dyn Random) -> Result<(), WsError> {
        let _ = now;
        match (&self.phase, self.client.as_mut()) {
            (Phase::Open { .. }, Some(client)) => client.send_text(text, rng),
            _ => Err(WsError::NotOpen),
        }
    }

    /// Bytes waiting to be written to the socket.
    pub fn outgoing(&self) -> &[u8] {
        self.client.as_ref().map_or(&[], Client::outgoing)
    }

    /// Drops the first `n` bytes of [`Connection::outgoing`] once the socket took them.
    pub fn consume_outgoing(&mut self, n: usize) {
        if let Some(client) = self.client.as_mut() {
            client.consume_outgoing(n);
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ConnEvent> {
        self.events.pop_front()
    }

    /// When [`Connection::handle_timeout`] wants to be called next; `None` while only
    /// the socket or the caller can move things on.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Offline => None,
            Phase::Backoff { at: Some(at), .. } => Some(at),
            Phase::Backoff { earliest, .. } => Some(earliest),
            Phase::Connecting { deadline } | Phase::Handshaking { deadline } | Phase::Closing { deadline } => {
                Some(deadline)
            }
            Phase::Open {
                last_ping,
                pong_deadline,
            } => {
                let ping = match self.config.ping_interval_s {
                    0 => None,
                    s => Some(last_ping.plus_secs(u64::from(s))),
                };
                match (ping, pong_deadline) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
        }
    }

    /// Handles every deadline that has passed at `now`: reconnect wait, connect and
    /// handshake timeouts, pings and the pong watchdog, the close timeout.
    pub fn handle_timeout(&mut self, now: Instant, rng: &mut dyn Random) {
        match self.phase {
            Phase::Backoff {
                earliest,
                spread_ms,
                at: None,
            } if now >= earliest => {
                let jitter = match spread_ms {
                    0 => 0,
                    s => u64::from(rng.next_u32()) % s.saturating_add(1),
                };
                self.phase = Phase::Backoff {
                    earliest,
                    spread_ms,
                    at: Some(earliest.plus_millis(jitter)),
                };
            }
            Phase::Connecting { deadline } if now >= deadline => {
                self.attempt_failed(now, WsError::ConnectTimeout);
                self.actions.push_back(LinkAction::Close);
            }
            Phase::Handshaking { deadline } if now >= deadline => {
                self.attempt_failed(now, WsError::HandshakeTimeout);
                self.actions.push_back(LinkAction::Close);
            }
            Phase::Open {
                last_ping,
                pong_deadline,
            } => {
                if pong_deadline.is_some_and(|d| now >= d) {
                    crate::ocpp_log!(self.log, crate::log::Level::Warn, "ws: pong timeout, dropping the link");
                    self.went_down(now, format!("{}", WsError::PongTimeout));
                    self.link_down(now);
                    self.actions.push_back(LinkAction::Close);
                    return;
                }
                let interval = u64::from(self.config.ping_interval_s);
                if interval > 0 && now >= last_ping.plus_secs(interval) {
                    if let Some(client) = self.client.as_mut() {
                        // Cannot fail: the session is open and the payload is empty.
                        let _ = client.send_ping(&[], rng);
                    }
                    self.phase = Phase::Open {
                        last_ping: now,
                        pong_deadline: pong_deadline.or(Some(now.plus_millis(self.config.pong_timeout_ms))),
                    };
                }
            }
            Phase::Closing { deadline } if now >= deadline => {
                self.link_down(now);
                self.actions.push_back(LinkAction::Close);
            }
            _ => {}
        }
    }

    /// Goes offline on purpose (e.g. the network is known to be down): closes the
    /// session with 1000 and makes no new attempt until [`Connection::reconnect_now`].
    pub fn disconnect(&mut self, now: Instant) {
        self.offline = true;
        match self.phase {
            Phase::Open { .. } => {
                if let Some(client) = self.client.as_mut() {
                    client.close(close_code::NORMAL, "going offline", &mut self.mask_rng);
                }
                self.went_down(now, String::from("disconnected on request"));
                self.start_closing(now);
            }
            Phase::Connecting { .. } | Phase::Handshaking { .. } => {
                self.client = None;
                self.actions.push_back(LinkAction::Close);
                self.phase = Phase::Offline;
            }
            Phase::Backoff { .. } => self.phase = Phase::Offline,
            Phase::Offline | Phase::Closing { .. } => {}
        }
    }

    /// Connects now, skipping any backoff wait, and leaves the offline state. Does
    /// nothing while a socket is open or opening.
    pub fn reconnect_now(&mut self, now: Instant) {
        self.offline = false;
        self.failures = 0;
        if matches!(self.phase, Phase::Offline | Phase::Backoff { .. }) {
            self.phase = Phase::Backoff {
                earliest: now,
                spread_ms: 0,
                at: Some(now),
            };
        }
    }

    fn start_closing(&mut self, now: Instant) {
        self.phase = Phase::Closing {
            deadline: now.plus_millis(self.config.close_timeout_ms),
        };
    }

    /// Reports a lost session once; a session that stayed up long enough resets the backoff.
    fn went_down(&mut self, now: Instant, reason: String) {
        if let Some(since) = self.connected_since.take() {
            if now.millis_since(since) >= self.config.stable_after_ms {
                self.failures = 0;
            }
            crate::ocpp_log!(self.log, crate::log::Level::Info, "ws: disconnected: {}", reason);
            self.events.push_back(ConnEvent::Disconnected { reason });
        }
    }

    fn attempt_failed(&mut self, now: Instant, error: WsError) {
        crate::ocpp_log!(
            self.log,
            crate::log::Level::Warn,
            "ws: connecting to {} failed: {}",
            self.client_config.url,
            error
        );
        self.events.push_back(ConnEvent::Error(error));
        self.link_down(now);
    }

    /// The socket is gone (or about to be): wait before the next attempt, or stay offline.
    fn link_down(&mut self, now: Instant) {
        self.client = None;
        if self.offline {
            self.phase = Phase::Offline;
            return;
        }
        let (low, spread_ms) = self.backoff();
        self.failures = self.failures.saturating_add(1);
        self.phase = Phase::Backoff {
            earliest: now.plus_millis(low),
            spread_ms,
            at: None,
        };
    }

    /// The shortest wait and the jitter spread for the next attempt, in ms.
    fn backoff(&self) -> (u64, u64) {
        let min = self.config.backoff_min_ms;
        let max = self.config.backoff_max_ms.max(min);
        let factor = 1u64.checked_shl(self.failures).unwrap_or(u64::MAX);
        let base = min.saturating_mul(factor).min(max);
        let span = base.saturating_mul(u64::from(self.config.jitter_percent.min(100))) / 100;
        let low = base.saturating_sub(span).max(min);
        let high = base.saturating_add(span).min(max);
        (low, high.saturating_sub(low))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::XorShift32;
    use crate::ws::frame::{apply_mask, FrameHeader, OpCode};
    use crate::ws::{accept_key, Url};
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    fn ms(t: u64) -> Instant {
        Instant::from_millis(t)
    }

    fn conn(cfg: ConnectionConfig) -> Connection {
        let url = Url::parse("wss://csms.example:8443/ocpp/CP_1").unwrap();
        Connection::new(ClientConfig::new(url), cfg)
    }

    fn no_jitter() -> ConnectionConfig {
        ConnectionConfig {
            jitter_percent: 0,
            ping_interval_s: 0,
            ..ConnectionConfig::default()
        }
    }

    fn take_out(c: &mut Connection) -> Vec<u8> {
        let out = c.outgoing().to_vec();
        c.consume_outgoing(out.len());
        out
    }

    /// Opens the socket and completes the handshake at `now`.
    fn connect(c: &mut Connection, now: Instant, rng: &mut dyn Random) {
        let action = c.poll_action(now).expect("an Open action");
        assert!(matches!(action, LinkAction::Open { .. }), "{action:?}");
        c.handle_socket_open(now, rng);
        let req = String::from_utf8(take_out(c)).unwrap();
        let key = req.lines().find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ")).unwrap();
        let resp = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
            accept_key(key)
        );
        c.handle_bytes(now, resp.as_bytes(), rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Connected));
        assert!(c.is_connected());
    }

    /// Fails one connect attempt at `now`; returns the wait until the next Open.
    fn fail_attempt(c: &mut Connection, now: Instant, rng: &mut dyn Random) -> u64 {
        assert!(matches!(c.poll_action(now), Some(LinkAction::Open { .. })));
        c.handle_socket_closed(now);
        assert_eq!(c.poll_event(), Some(ConnEvent::Error(WsError::SocketClosed)));
        let earliest = c.poll_timeout().unwrap();
        assert_eq!(c.poll_action(earliest), None, "jitter not drawn yet");
        c.handle_timeout(earliest, rng);
        let at = c.poll_timeout().unwrap();
        assert!(at >= earliest);
        assert_eq!(c.poll_action(ms(at.as_millis() - 1)), None);
        at.millis_since(now)
    }

    fn client_frames(mut bytes: &[u8]) -> Vec<(OpCode, Vec<u8>)> {
        let mut frames = Vec::new();
        while let Ok(Some((h, n))) = FrameHeader::parse(bytes) {
            let len = h.len as usize;
            let mut payload = bytes[n..n + len].to_vec();
            apply_mask(&mut payload, h.mask.unwrap(), 0);
            frames.push((h.opcode, payload));
            bytes = &bytes[n + len..];
        }
        frames
    }

    #[test]
    fn opens_handshakes_and_exchanges_text() {
        let mut rng = XorShift32::new(1);
        let mut c = conn(no_jitter());
        assert_eq!(c.state(), ConnState::Waiting);
        assert_eq!(
            c.poll_action(ms(0)),
            Some(LinkAction::Open {
                host: "csms.example".into(),
                port: 8443,
                secure: true
            })
        );
        assert_eq!(c.poll_action(ms(0)), None);
        assert_eq!(c.state(), ConnState::Connecting);
        assert_eq!(c.send_text(ms(0), "x", &mut rng), Err(WsError::NotOpen));
        c.handle_socket_open(ms(5), &mut rng);
        assert_eq!(c.state(), ConnState::Handshaking);
        assert!(c
            .outgoing()
            .starts_with(b"GET /ocpp/CP_1 HTTP/1.1\r\nHost: csms.example:8443\r\n"));
        assert_eq!(c.poll_timeout(), Some(ms(10_005)));
        // Reset the state machine and do it with the helper.
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        c.send_text(ms(1), "[2,\"1\",\"Heartbeat\",{}]", &mut rng).unwrap();
        assert_eq!(
            client_frames(&take_out(&mut c)),
            [(OpCode::Text, b"[2,\"1\",\"Heartbeat\",{}]".to_vec())]
        );
        c.handle_bytes(ms(2), b"\x81\x02{}", &mut rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Text("{}".into())));
        assert_eq!(c.poll_timeout(), None, "no pings, nothing to wait for");
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum_without_jitter() {
        let mut rng = XorShift32::new(2);
        let mut c = conn(ConnectionConfig {
            backoff_min_ms: 1000,
            backoff_max_ms: 8000,
            ..no_jitter()
        });
        let mut now = ms(0);
        let mut waits = Vec::new();
        for _ in 0..6 {
            let wait = fail_attempt(&mut c, now, &mut rng);
            waits.push(wait);
            now = now.plus_millis(wait);
        }
        assert_eq!(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
    }

    #[test]
    fn jitter_stays_within_bounds_and_varies() {
        let mut rng = XorShift32::new(3);
        let mut c = conn(ConnectionConfig {
            backoff_min_ms: 1000,
            backoff_max_ms: 8000,
            jitter_percent: 25,
            ..no_jitter()
        });
        let mut now = ms(0);
        let mut seen = Vec::new();
        for attempt in 0..40u32 {
            let wait = fail_attempt(&mut c, now, &mut rng);
            let base = (1000u64 << attempt.min(3)).min(8000);
            let (low, high) = ((base * 3 / 4).max(1000), (base * 5 / 4).min(8000));
            assert!(
                (low..=high).contains(&wait),
                "attempt {attempt}: {wait} not in {low}..={high}"
            );
            if attempt >= 3 {
                seen.push(wait);
            }
            now = now.plus_millis(wait);
        }
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 10, "jitter draws differ: {seen:?}");
    }

    #[test]
    fn a_stable_connection_resets_the_backoff_a_flapping_one_does_not() {
        let mut rng = XorShift32::new(4);
        let cfg = ConnectionConfig {
            backoff_min_ms: 1000,
            backoff_max_ms: 60_000,
            stable_after_ms: 30_000,
            ..no_jitter()
        };
        let mut c = conn(cfg);
        let mut now = ms(0);
        for _ in 0..3 {
            now = now.plus_millis(fail_attempt(&mut c, now, &mut rng));
        }
        // Up for a moment only: the next wait keeps growing.
        connect(&mut c, now, &mut rng);
        c.handle_socket_closed(now.plus_millis(10));
        assert!(matches!(c.poll_event(), Some(ConnEvent::Disconnected { .. })));
        assert_eq!(c.poll_timeout(), Some(now.plus_millis(10 + 8000)));
        now = now.plus_millis(10 + 8000);
        c.handle_timeout(now, &mut rng);
        // Up for a minute: back to the minimum.
        connect(&mut c, now, &mut rng);
        c.handle_socket_closed(now.plus_millis(60_000));
        assert_eq!(
            c.poll_event(),
            Some(ConnEvent::Disconnected {
                reason: "connection lost (socket closed without a close frame)".into()
            })
        );
        assert_eq!(c.poll_timeout(), Some(now.plus_millis(60_000 + 1000)));
    }

    #[test]
    fn ping_watchdog_detects_a_silent_link() {
        let mut rng = XorShift32::new(5);
        let mut c = conn(ConnectionConfig {
            ping_interval_s: 10,
            pong_timeout_ms: 2000,
            ..no_jitter()
        });
        connect(&mut c, ms(0), &mut rng);
        assert_eq!(c.poll_timeout(), Some(ms(10_000)));
        c.handle_timeout(ms(9_999), &mut rng);
        assert!(c.outgoing().is_empty());
        c.handle_timeout(ms(10_000), &mut rng);
        assert_eq!(client_frames(&take_out(&mut c)), [(OpCode::Ping, Vec::new())]);
        assert_eq!(c.poll_timeout(), Some(ms(12_000)));
        // A pong clears the watchdog; the next ping is an interval after the last.
        c.handle_bytes(ms(10_050), &[0x8A, 0x00], &mut rng);
        assert_eq!(c.poll_timeout(), Some(ms(20_000)));
        c.handle_timeout(ms(20_000), &mut rng);
        take_out(&mut c);
        // Any data also proves the link alive.
        c.handle_bytes(ms(21_000), b"\x81\x02[]", &mut rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Text("[]".into())));
        assert_eq!(c.poll_timeout(), Some(ms(30_000)));
        c.handle_timeout(ms(30_000), &mut rng);
        take_out(&mut c);
        // Silence: the link is declared dead at the deadline.
        c.handle_timeout(ms(31_999), &mut rng);
        assert!(c.is_connected());
        c.handle_timeout(ms(32_000), &mut rng);
        assert_eq!(
            c.poll_event(),
            Some(ConnEvent::Disconnected {
                reason: "pong timeout".into()
            })
        );
        assert_eq!(c.poll_action(ms(32_000)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Waiting);
        assert_eq!(c.poll_timeout(), Some(ms(33_000)));
    }

    #[test]
    fn ping_interval_can_change_at_run_time() {
        let mut rng = XorShift32::new(6);
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        assert_eq!(c.poll_timeout(), None);
        c.set_ping_interval(30);
        assert_eq!(c.poll_timeout(), Some(ms(30_000)));
        c.handle_timeout(ms(30_000), &mut rng);
        assert_eq!(c.poll_timeout(), Some(ms(40_000)), "pong deadline");
        c.set_ping_interval(0);
        assert_eq!(c.poll_timeout(), None);
        c.handle_timeout(ms(100_000), &mut rng);
        assert!(c.is_connected());
    }

    #[test]
    fn connect_and_handshake_timeouts() {
        let mut rng = XorShift32::new(7);
        let mut c = conn(ConnectionConfig {
            connect_timeout_ms: 3000,
            handshake_timeout_ms: 4000,
            ..no_jitter()
        });
        assert!(c.poll_action(ms(0)).is_some());
        assert_eq!(c.poll_timeout(), Some(ms(3000)));
        c.handle_timeout(ms(3000), &mut rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Error(WsError::ConnectTimeout)));
        assert_eq!(c.poll_action(ms(3000)), Some(LinkAction::Close));
        // The late socket open for the abandoned attempt is ignored.
        c.handle_socket_open(ms(3001), &mut rng);
        assert!(c.outgoing().is_empty());
        c.handle_timeout(ms(4000), &mut rng);
        assert!(matches!(c.poll_action(ms(4000)), Some(LinkAction::Open { .. })));
        c.handle_socket_open(ms(4000), &mut rng);
        c.handle_timeout(ms(8000), &mut rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Error(WsError::HandshakeTimeout)));
        assert_eq!(c.poll_action(ms(8000)), Some(LinkAction::Close));
        assert_eq!(c.poll_timeout(), Some(ms(10_000)), "second failure waits twice as long");
    }

    #[test]
    fn refused_handshake_is_an_error_and_closes_the_socket() {
        let mut rng = XorShift32::new(8);
        let mut c = conn(no_jitter());
        c.poll_action(ms(0));
        c.handle_socket_open(ms(0), &mut rng);
        take_out(&mut c);
        c.handle_bytes(ms(1), b"HTTP/1.1 404 Not Found\r\n\r\n", &mut rng);
        assert_eq!(c.poll_event(), Some(ConnEvent::Error(WsError::HttpStatus(404))));
        assert_eq!(c.poll_event(), None, "never connected, so no Disconnected");
        assert_eq!(c.poll_action(ms(1)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Waiting);
    }

    #[test]
    fn server_close_is_echoed_then_the_socket_closed() {
        let mut rng = XorShift32::new(9);
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        c.handle_bytes(
            ms(5),
            &[0x88, 0x09, 0x03, 0xE9, b'r', b'e', b's', b't', b'a', b'r', b't'],
            &mut rng,
        );
        assert_eq!(
            c.poll_event(),
            Some(ConnEvent::Disconnected {
                reason: "closed by the central system: 1001 restart".into()
            })
        );
        assert_eq!(c.state(), ConnState::Closing);
        assert_eq!(c.poll_action(ms(5)), None, "close reply not written yet");
        assert_eq!(client_frames(&take_out(&mut c)), [(OpCode::Close, vec![0x03, 0xE9])]);
        assert_eq!(c.poll_action(ms(5)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Waiting);
    }

    #[test]
    fn protocol_error_reports_and_closes() {
        let mut rng = XorShift32::new(10);
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        c.handle_bytes(ms(5), &[0x82, 0x01, 0x00], &mut rng);
        let err = WsError::Protocol {
            code: 1003,
            reason: "binary message (OCPP-J is text only)",
        };
        assert_eq!(c.poll_event(), Some(ConnEvent::Error(err.clone())));
        assert_eq!(
            c.poll_event(),
            Some(ConnEvent::Disconnected {
                reason: err.to_string()
            })
        );
        let frames = client_frames(&take_out(&mut c));
        assert_eq!(frames[0].1[..2], [0x03, 0xEB]);
        assert_eq!(c.poll_action(ms(5)), Some(LinkAction::Close));
    }

    #[test]
    fn disconnect_goes_offline_until_reconnect_now() {
        let mut rng = XorShift32::new(11);
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        c.disconnect(ms(100));
        assert_eq!(
            c.poll_event(),
            Some(ConnEvent::Disconnected {
                reason: "disconnected on request".into()
            })
        );
        let frames = client_frames(&take_out(&mut c));
        assert_eq!(frames[0].0, OpCode::Close);
        assert_eq!(frames[0].1[..2], [0x03, 0xE8]);
        assert_eq!(c.poll_action(ms(100)), None, "waiting for the server's close");
        c.handle_bytes(ms(150), &[0x88, 0x02, 0x03, 0xE8], &mut rng);
        assert_eq!(c.poll_action(ms(150)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Offline);
        assert_eq!(c.poll_timeout(), None);
        assert_eq!(c.poll_action(ms(1_000_000)), None);
        c.reconnect_now(ms(1_000_000));
        connect(&mut c, ms(1_000_000), &mut rng);

        // Without an answer from the server, the close timeout drops the socket.
        c.disconnect(ms(2_000_000));
        take_out(&mut c);
        assert_eq!(c.poll_timeout(), Some(ms(2_005_000)));
        c.handle_timeout(ms(2_005_000), &mut rng);
        assert_eq!(c.poll_action(ms(2_005_000)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Offline);

        // While waiting to retry, disconnect just stays offline; reconnect_now skips the wait.
        let mut c = conn(no_jitter());
        fail_attempt(&mut c, ms(0), &mut rng);
        c.disconnect(ms(10));
        assert_eq!(c.state(), ConnState::Offline);
        c.reconnect_now(ms(20));
        assert!(matches!(c.poll_action(ms(20)), Some(LinkAction::Open { .. })));
        c.disconnect(ms(21));
        assert_eq!(c.poll_action(ms(21)), Some(LinkAction::Close));
        assert_eq!(c.state(), ConnState::Offline);
    }

    #[test]
    fn basic_auth_change_applies_at_the_next_connect() {
        let mut rng = XorShift32::new(12);
        let mut c = conn(no_jitter());
        connect(&mut c, ms(0), &mut rng);
        c.set_basic_auth(Some(("CP_1".into(), "0123456789abcdef".into())));
        assert!(c.is_connected());
        c.handle_socket_closed(ms(10));
        c.handle_timeout(ms(1010), &mut rng);
        assert!(c.poll_action(ms(1010)).is_some());
        c.handle_socket_open(ms(1010), &mut rng);
        let req = String::from_utf8(take_out(&mut c)).unwrap();
        assert!(
            req.contains("\r\nAuthorization: Basic Q1BfMTowMTIzNDU2Nzg5YWJjZGVm\r\n"),
            "{req}"
        );
    }

    #[test]
    fn invalid_config_goes_offline_with_an_error() {
        let mut c = conn(no_jitter());
        c.set_basic_auth(Some(("CP:1".into(), "x".into())));
        assert_eq!(c.poll_action(ms(0)), None);
        assert!(matches!(
            c.poll_event(),
            Some(ConnEvent::Error(WsError::InvalidConfig(_)))
        ));
        assert_eq!(c.state(), ConnState::Offline);
    }
}
