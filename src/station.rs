//! [`Station`]: a [`ChargePoint`] joined to its WebSocket [`Connection`], the way every host
//! runs them (the simulator, the C ABI, the ESPHome component).
//!
//! The glue that would otherwise be written once per host lives here: link events reach the
//! charge point (Connected, Disconnected, text frames), its frames reach the link, and the
//! configuration keys that belong to the transport follow the charge point's configuration
//! (WebSocketPingInterval sets the ping period; a new AuthorizationKey becomes the Basic-auth
//! password of the next connection, as security profile 1 asks). Still sans-IO: the host
//! owns the socket and the clock.

use alloc::collections::VecDeque;
use alloc::string::String;

use crate::cp::{ChargePoint, Event, Key};
use crate::rand::XorShift32;
use crate::time::Instant;
use crate::ws::{ClientConfig, ConnEvent, ConnState, Connection, ConnectionConfig, LinkAction, WsError};

/// What a [`Station`] reports: the charge point's events and the link's.
#[derive(Clone, Debug, PartialEq)]
pub enum StationEvent {
    /// The WebSocket session opened (the charge point now sends BootNotification or its queue).
    Connected,
    /// The session that was open is gone; a new attempt follows.
    Disconnected {
        /// Why, in words.
        reason: String,
    },
    /// Connecting failed, or the session broke (a `Disconnected` follows for an open one).
    LinkError(WsError),
    /// Something from the charge point.
    ChargePoint(Event),
}

/// Where the link stands, in the words of the original ESPHome component's
/// `connection_state` text sensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// No socket; waiting for the next attempt (or offline on purpose).
    Disconnected,
    /// The socket is being opened.
    Connecting,
    /// The WebSocket upgrade is under way.
    Handshaking,
    /// The session is open; BootNotification not accepted yet.
    Connected,
    /// The session is open and the central system accepted BootNotification.
    Ready,
    /// The session is closing.
    Closing,
}

impl LinkState {
    /// The state's name as the original component published it.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Disconnected => "disconnected",
            LinkState::Connecting => "connecting",
            LinkState::Handshaking => "handshaking",
            LinkState::Connected => "connected",
            LinkState::Ready => "ready",
            LinkState::Closing => "closing",
        }
    }
}

/// A charge point and its connection, driven together.
///
/// Host loop: act on [`Station::poll_action`] (open or close the socket and report it with
/// [`Station::handle_socket_open`] / [`Station::handle_socket_closed`]); write
/// [`Station::outgoing`] and [`Station::consume_outgoing`] what was written; feed what the
/// socket reads to [`Station::handle_bytes`]; call [`Station::handle_timeout`] once
/// [`Station::poll_timeout`] has passed; drain [`Station::poll_event`]. Inputs to the charge
/// point go through [`Station::cp_mut`], followed by [`Station::pump`].
pub struct Station {
    cp: ChargePoint,
    conn: Connection,
    rng: XorShift32,
    events: VecDeque<StationEvent>,
}

impl Station {
    /// Joins `cp` to a connection to `client.url`, which opens on the first
    /// [`Station::poll_action`]; `seed` feeds the WebSocket masks and the backoff jitter.
    /// The Basic-auth password is the charge point's AuthorizationKey when it has one
    /// (persisted, or changed by the central system), else the one in `client`.
    pub fn new(cp: ChargePoint, client: ClientConfig, conn_config: ConnectionConfig, seed: u32) -> Self {
        let mut conn = Connection::new(client, conn_config);
        conn.set_log(cp.logger());
        let mut station = Station {
            cp,
            conn,
            rng: XorShift32::new(seed),
            events: VecDeque::new(),
        };
        station.follow_configuration();
        station
    }

    /// The charge point.
    pub fn cp(&self) -> &ChargePoint {
        &self.cp
    }

    /// The charge point, for inputs; call [`Station::pump`] afterwards so that what it queued
    /// goes out.
    pub fn cp_mut(&mut self) -> &mut ChargePoint {
        &mut self.cp
    }

    /// The connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Where the link stands.
    pub fn link_state(&self) -> LinkState {
        match self.conn.state() {
            ConnState::Offline | ConnState::Waiting => LinkState::Disconnected,
            ConnState::Connecting => LinkState::Connecting,
            ConnState::Handshaking => LinkState::Handshaking,
            ConnState::Connected if self.cp.registration() == crate::cp::Registration::Accepted => LinkState::Ready,
            ConnState::Connected => LinkState::Connected,
            ConnState::Closing => LinkState::Closing,
        }
    }

    /// The next thing the host must do with its socket.
    pub fn poll_action(&mut self, now: Instant) -> Option<LinkAction> {
        self.conn.poll_action(now)
    }

    /// The socket the last [`LinkAction::Open`] asked for is open.
    pub fn handle_socket_open(&mut self, now: Instant) {
        self.conn.handle_socket_open(now, &mut self.rng);
        self.pump(now);
    }

    /// The socket could not be opened, or it closed (EOF, error).
    pub fn handle_socket_closed(&mut self, now: Instant) {
        self.conn.handle_socket_closed(now);
        self.pump(now);
    }

    /// Bytes the socket read.
    pub fn handle_bytes(&mut self, now: Instant, data: &[u8]) {
        self.conn.handle_bytes(now, data, &mut self.rng);
        self.pump(now);
    }

    /// Bytes to write to the socket.
    pub fn outgoing(&self) -> &[u8] {
        self.conn.outgoing()
    }

    /// `n` bytes of [`Station::outgoing`] were written.
    pub fn consume_outgoing(&mut self, n: usize) {
        self.conn.consume_outgoing(n);
    }

    /// The earliest instant at which [`Station::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.conn.poll_timeout(), self.cp.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the timers that are due at `now` (either side's), then [`Station::pump`].
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.conn.poll_timeout().is_some_and(|t| t <= now) {
            self.conn.handle_timeout(now, &mut self.rng);
        }
        self.pump(now);
        if self.cp.poll_timeout().is_some_and(|t| t <= now) {
            self.cp.handle_timeout(now);
        }
        self.pump(now);
    }

    /// Closes the session and stays offline until [`Station::reconnect_now`].
    pub fn disconnect(&mut self, now: Instant) {
        self.conn.disconnect(now);
        self.pump(now);
    }

    /// Connects now (again), dropping any backoff wait.
    pub fn reconnect_now(&mut self, now: Instant) {
        self.conn.reconnect_now(now);
        self.pump(now);
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<StationEvent> {
        self.events.pop_front()
    }

    /// Moves everything that is ready between the link and the charge point: received frames
    /// and link changes in, queued frames out, events to the host's queue.
    pub fn pump(&mut self, now: Instant) {
        loop {
            let mut moved = false;
            while let Some(ev) = self.conn.poll_event() {
                moved = true;
                match ev {
                    ConnEvent::Connected => {
                        self.cp.handle_connected(now);
                        self.events.push_back(StationEvent::Connected);
                    }
                    ConnEvent::Disconnected { reason } => {
                        self.cp.handle_disconnected(now);
                        self.events.push_back(StationEvent::Disconnected { reason });
                    }
                    ConnEvent::Text(text) => self.cp.handle_text(now, &text),
                    ConnEvent::Error(e) => self.events.push_back(StationEvent::LinkError(e)),
                }
            }
            while let Some(text) = self.cp.poll_transmit() {
                moved = true;
                // Not connected: the frame is lost, and the charge point's call timeout (or
                // its journal, for transaction messages) takes care of it.
                if let Err(e) = self.conn.send_text(now, text, &mut self.rng) {
                    self.events.push_back(StationEvent::LinkError(e));
                }
            }
            while let Some(ev) = self.cp.poll_event() {
                moved = true;
                if let Event::ConfigurationChanged { key, .. } = &ev {
                    if key.eq_ignore_ascii_case("WebSocketPingInterval") || key.eq_ignore_ascii_case("AuthorizationKey")
                    {
                        self.follow_configuration();
                    }
                }
                self.events.push_back(StationEvent::ChargePoint(ev));
            }
            if !moved {
                return;
            }
        }
    }

    /// Applies the transport's configuration keys to the connection.
    fn follow_configuration(&mut self) {
        let ping = u32::try_from(self.cp.configuration().int(Key::WebSocketPingInterval)).unwrap_or(0);
        self.conn.set_ping_interval(ping);
        if let Some(key) = self.cp.authorization_key() {
            // The Basic-auth user stays what the host gave (the charge point id by default).
            let user = self
                .conn
                .client_config()
                .basic_auth
                .as_ref()
                .map_or_else(|| String::from(self.cp.charge_point_id()), |(user, _)| user.clone());
            self.conn.set_basic_auth(Some((user, String::from(key))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cp::Config;
    use crate::ws::{accept_key, Url};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn ms(v: u64) -> Instant {
        Instant::from_millis(v)
    }

    fn station() -> Station {
        let cp = ChargePoint::new(Config {
            charge_point_id: "CP_1".into(),
            ..Config::default()
        })
        .unwrap();
        let client = ClientConfig::new(Url::parse("ws://csms.test/ocpp/CP_1").unwrap());
        Station::new(cp, client, ConnectionConfig::default(), 7)
    }

    /// Opens the socket and answers the upgrade; returns the request the station wrote.
    fn open(st: &mut Station, now: Instant) -> String {
        assert!(matches!(st.poll_action(now), Some(LinkAction::Open { .. })));
        st.handle_socket_open(now);
        let request = String::from_utf8(st.outgoing().to_vec()).unwrap();
        st.consume_outgoing(request.len());
        let key = request
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap()
            .to_string();
        let answer = alloc::format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
            accept_key(&key)
        );
        st.handle_bytes(now, answer.as_bytes());
        request
    }

    /// An unmasked server text frame.
    fn text_frame(s: &str) -> Vec<u8> {
        let mut f = alloc::vec![0x81u8];
        if s.len() < 126 {
            f.push(s.len() as u8);
        } else {
            f.push(126);
            f.extend_from_slice(&(s.len() as u16).to_be_bytes());
        }
        f.extend_from_slice(s.as_bytes());
        f
    }

    fn events(st: &mut Station) -> Vec<StationEvent> {
        core::iter::from_fn(|| st.poll_event()).collect()
    }

    #[test]
    fn link_and_charge_point_move_together() {
        let mut st = station();
        assert_eq!(st.link_state(), LinkState::Disconnected);
        let request = open(&mut st, ms(0));
        assert!(!request.contains("Authorization:"), "{request}");
        assert_eq!(st.link_state(), LinkState::Connected);
        assert!(events(&mut st).contains(&StationEvent::Connected));
        // The charge point's BootNotification went straight to the link (a masked frame).
        let out = st.outgoing().to_vec();
        assert_eq!(out.first(), Some(&0x81));
        st.consume_outgoing(out.len());
        assert!(st.poll_timeout().is_some());
    }

    #[test]
    fn ping_interval_and_authorization_key_follow_the_configuration() {
        let mut st = station();
        open(&mut st, ms(0));
        let change =
            |k: &str, v: &str| alloc::format!(r#"[2,"c-{k}","ChangeConfiguration",{{"key":"{k}","value":"{v}"}}]"#);
        st.handle_bytes(ms(10), &text_frame(&change("WebSocketPingInterval", "17")));
        assert_eq!(st.connection().config().ping_interval_s, 17);
        st.handle_bytes(ms(20), &text_frame(&change("AuthorizationKey", "0123456789abcdef0123")));
        let changed = events(&mut st).into_iter().any(|e| {
            matches!(e, StationEvent::ChargePoint(Event::ConfigurationChanged { ref key, .. }) if key == "AuthorizationKey")
        });
        assert!(changed);
        // The session goes on with the old password; the next connection uses the new one.
        st.handle_socket_closed(ms(30));
        assert!(events(&mut st)
            .iter()
            .any(|e| matches!(e, StationEvent::Disconnected { .. })));
        let mut now = ms(30);
        while st.connection().state() != ConnState::Connecting {
            now = st.poll_timeout().unwrap().max(now);
            st.handle_timeout(now);
            if matches!(st.poll_action(now), Some(LinkAction::Open { .. })) {
                break;
            }
        }
        st.handle_socket_open(now);
        let request = String::from_utf8(st.outgoing().to_vec()).unwrap();
        // base64("CP_1:0123456789abcdef0123")
        assert!(
            request.contains("Authorization: Basic Q1BfMTowMTIzNDU2Nzg5YWJjZGVmMDEyMw==\r\n"),
            "{request}"
        );
    }
}
