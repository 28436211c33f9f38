//! Helpers shared by the WebSocket integration tests: a blocking driver for one
//! [`Client`] session over a [`HostLink`], and a host loop for a [`Connection`].
#![allow(dead_code)]

use std::io::ErrorKind;
use std::time::Duration;

use ocpp_cp::rand::XorShift32;
use ocpp_cp::time::Instant;
use ocpp_cp::ws::{
    Client, ClientConfig, ConnEvent, Connection, ConnectionConfig, HostLink, LinkAction, TlsSettings, Url, WsError,
    WsEvent,
};

/// Every wait in these tests ends after this long.
pub const LIMIT: Duration = Duration::from_secs(10);

/// What happened next on a [`Driver`].
#[derive(Debug, PartialEq)]
pub enum Step {
    Event(WsEvent),
    Error(WsError),
    Eof,
    Timeout,
}

/// One [`Client`] session over a real socket, pumped until something happens.
pub struct Driver {
    pub link: HostLink,
    pub client: Client,
    pub rng: XorShift32,
    /// An error from `handle_bytes`, reported once the events before it were taken.
    error: Option<WsError>,
}

impl Driver {
    pub fn open(config: &ClientConfig, tls: &TlsSettings) -> Driver {
        let url = &config.url;
        let link = HostLink::connect(&url.host, url.port, url.secure, tls, LIMIT).expect("connect");
        let mut rng = XorShift32::new(0x5EED);
        let client = Client::new(config, &mut rng);
        let mut d = Driver {
            link,
            client,
            rng,
            error: None,
        };
        d.flush();
        d
    }

    pub fn open_url(url: &str) -> Driver {
        Driver::open(&config(url), &TlsSettings::default())
    }

    pub fn flush(&mut self) {
        let out = self.client.outgoing().to_vec();
        if !out.is_empty() {
            self.link.write_all(&out).expect("write");
            self.client.consume_outgoing(out.len());
        }
    }

    /// The next event, error or end of stream, within [`LIMIT`]. Events queued in the
    /// same read as an error (e.g. `Opened`, or the `Closed` a failure reports) come first.
    pub fn next(&mut self) -> Step {
        let deadline = std::time::Instant::now() + LIMIT;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(ev) = self.client.poll_event() {
                self.flush();
                return Step::Event(ev);
            }
            self.flush();
            if let Some(e) = self.error.take() {
                return Step::Error(e);
            }
            if std::time::Instant::now() > deadline {
                return Step::Timeout;
            }
            match self.link.read(&mut buf) {
                Ok(0) => return Step::Eof,
                Ok(n) => {
                    if let Err(e) = self.client.handle_bytes(&buf[..n], &mut self.rng) {
                        self.error = Some(e);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return Step::Eof,
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    pub fn event(&mut self) -> WsEvent {
        match self.next() {
            Step::Event(ev) => ev,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// The next error; the `Closed` event a failure reports on the way is checked to
    /// carry the error's close code.
    pub fn error(&mut self) -> WsError {
        let mut closed_with = None;
        loop {
            match self.next() {
                Step::Error(e) => {
                    assert_eq!(closed_with, e.close_code(), "Closed event for {e:?}");
                    return e;
                }
                Step::Event(WsEvent::Closed { code, .. }) => closed_with = Some(code),
                other => panic!("expected an error, got {other:?}"),
            }
        }
    }

    /// Skips pings and pongs.
    pub fn text(&mut self) -> String {
        loop {
            match self.event() {
                WsEvent::Text(t) => return t,
                WsEvent::Ping(_) | WsEvent::Pong(_) => {}
                other => panic!("expected text, got {other:?}"),
            }
        }
    }

    pub fn send(&mut self, text: &str) {
        self.client.send_text(text, &mut self.rng).expect("send_text");
        self.flush();
    }
}

pub fn config(url: &str) -> ClientConfig {
    ClientConfig::new(Url::parse(url).expect("url"))
}

/// A [`Connection`] driven by a real-time host loop over [`HostLink`]s.
///
/// Time is real while a socket is open (servers answer in real time); while there is
/// none, the clock jumps to the next deadline instead of waiting for it.
pub struct HostLoop {
    pub conn: Connection,
    pub link: Option<HostLink>,
    pub rng: XorShift32,
    pub tls: TlsSettings,
    start: std::time::Instant,
    skipped_ms: u64,
}

impl HostLoop {
    pub fn new(client: ClientConfig, cfg: ConnectionConfig) -> HostLoop {
        HostLoop {
            conn: Connection::new(client, cfg),
            link: None,
            rng: XorShift32::new(0xC0FFEE),
            tls: TlsSettings::default(),
            start: std::time::Instant::now(),
            skipped_ms: 0,
        }
    }

    pub fn now(&self) -> Instant {
        Instant::from_millis(self.start.elapsed().as_millis() as u64 + self.skipped_ms)
    }

    /// Runs the loop until `f` picks an event, within [`LIMIT`].
    pub fn run_until<T>(&mut self, mut f: impl FnMut(&ConnEvent) -> Option<T>) -> T {
        let deadline = std::time::Instant::now() + LIMIT;
        loop {
            while let Some(ev) = self.conn.poll_event() {
                if let Some(t) = f(&ev) {
                    return t;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no expected event within {LIMIT:?}"
            );
            self.step();
        }
    }

    /// One turn: timers, socket actions, writing, one read.
    pub fn step(&mut self) {
        let now = self.now();
        if self.conn.poll_timeout().is_some_and(|t| t <= now) {
            self.conn.handle_timeout(now, &mut self.rng);
        }
        while let Some(action) = self.conn.poll_action(now) {
            match action {
                LinkAction::Open { host, port, secure } => {
                    match HostLink::connect(&host, port, secure, &self.tls, LIMIT) {
                        Ok(link) => {
                            self.link = Some(link);
                            self.conn.handle_socket_open(now, &mut self.rng);
                        }
                        Err(_) => self.conn.handle_socket_closed(now),
                    }
                }
                LinkAction::Close => {
                    if let Some(link) = self.link.take() {
                        link.shutdown();
                    }
                }
            }
        }
        let Some(link) = self.link.as_mut() else {
            // No socket: nothing can happen before the next deadline, so jump to it.
            if let Some(t) = self.conn.poll_timeout() {
                self.skipped_ms += t.millis_since(now);
            }
            return;
        };
        let out = self.conn.outgoing().to_vec();
        if !out.is_empty() {
            if link.write_all(&out).is_err() {
                self.link = None;
                self.conn.handle_socket_closed(now);
                return;
            }
            self.conn.consume_outgoing(out.len());
        }
        let mut buf = [0u8; 4096];
        match link.read(&mut buf) {
            Ok(0) => {
                self.link = None;
                self.conn.handle_socket_closed(now);
            }
            Ok(n) => self.conn.handle_bytes(now, &buf[..n], &mut self.rng),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => {
                self.link = None;
                self.conn.handle_socket_closed(now);
            }
        }
    }
}
