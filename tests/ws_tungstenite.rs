//! The WebSocket client against tungstenite servers on 127.0.0.1: handshake refusals,
//! Basic auth, fragmentation, ping/pong, close codes, oversize messages, wss:// with a
//! CA made at test time, and `Connection` + `HostLink` end to end.
#![cfg(feature = "std")]
// The handshake callbacks must return tungstenite's large `ErrorResponse`.
#![allow(clippy::result_large_err)]

#[path = "ws/common.rs"]
mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use common::{config, Driver, HostLoop, Step, LIMIT};
use ocpp_cp::ws::{ConnEvent, ConnectionConfig, TlsSettings, WsError, WsEvent};
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::http::{HeaderValue, StatusCode};
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::{Message, WebSocket};

const AUTH_KEY: &str = "0123456789abcdef0123";

/// Listens on 127.0.0.1:0 and runs `f` on the first accepted connection in a thread;
/// the thread's result comes back through the handle. The listener closes with it.
fn serve<T: Send + 'static>(f: impl FnOnce(TcpStream) -> T + Send + 'static) -> (u16, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        stream.set_write_timeout(Some(LIMIT)).unwrap();
        f(stream)
    });
    (port, handle)
}

/// What the server saw in the upgrade request.
#[derive(Debug, Default, Clone)]
struct Seen {
    path: String,
    subprotocol: Option<String>,
    authorization: Option<String>,
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

fn seen(req: &Request) -> Seen {
    Seen {
        path: req.uri().path().to_string(),
        subprotocol: header(req, "Sec-WebSocket-Protocol"),
        authorization: header(req, "Authorization"),
    }
}

/// Accepts the upgrade and selects `protocol` (or none); records the request.
fn accept_with<S: std::io::Read + Write>(stream: S, protocol: Option<&'static str>) -> (WebSocket<S>, Seen) {
    let (tx, rx) = mpsc::channel();
    let callback = move |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        tx.send(seen(req)).unwrap();
        if let Some(p) = protocol {
            resp.headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(p));
        }
        Ok(resp)
    };
    let ws = tungstenite::accept_hdr(stream, callback).expect("server handshake");
    (ws, rx.recv().unwrap())
}

/// Answers the upgrade with an HTTP error status; records the request.
fn refuse(stream: TcpStream, status: StatusCode) -> Seen {
    let (tx, rx) = mpsc::channel();
    let callback = move |req: &Request, _resp: Response| -> Result<Response, ErrorResponse> {
        tx.send(seen(req)).unwrap();
        let mut err = ErrorResponse::new(Some("refused".into()));
        *err.status_mut() = status;
        Err(err)
    };
    let _ = tungstenite::accept_hdr(stream, callback);
    rx.recv().unwrap()
}

/// Echoes text until the client closes; returns the close frame it got.
fn echo_until_close<S: std::io::Read + Write>(ws: &mut WebSocket<S>) -> Option<(u16, String)> {
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => ws.send(Message::Text(t)).unwrap(),
            Ok(Message::Close(frame)) => {
                let got = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                // Finish the close handshake (tungstenite queued the reply).
                let _ = ws.flush();
                return got;
            }
            Ok(_) => {}
            Err(e) => panic!("server read: {e}"),
        }
    }
}

#[test]
fn handshake_echo_and_client_close() {
    let (port, server) = serve(|s| {
        let (mut ws, seen) = accept_with(s, Some("ocpp1.6"));
        (seen, echo_until_close(&mut ws))
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/ocpp/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    d.send(r#"[2,"1","Heartbeat",{}]"#);
    assert_eq!(d.text(), r#"[2,"1","Heartbeat",{}]"#);
    d.client.close(1000, "done", &mut d.rng);
    d.flush();
    // tungstenite echoes the whole close frame, reason included.
    assert_eq!(
        d.event(),
        WsEvent::Closed {
            code: 1000,
            reason: "done".into()
        }
    );
    let (seen, close) = server.join().unwrap();
    assert_eq!(seen.path, "/ocpp/CP_1");
    assert_eq!(seen.subprotocol.as_deref(), Some("ocpp1.6"));
    assert_eq!(seen.authorization, None);
    assert_eq!(close, Some((1000, "done".into())));
}

#[test]
fn no_subprotocol_selected_is_an_error() {
    let (port, server) = serve(|s| accept_with(s, None).1);
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.error(), WsError::Subprotocol { selected: None });
    assert_eq!(server.join().unwrap().subprotocol.as_deref(), Some("ocpp1.6"));
}

#[test]
fn another_subprotocol_selected_is_an_error() {
    let (port, server) = serve(|s| accept_with(s, Some("ocpp2.0.1")).1);
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(
        d.error(),
        WsError::Subprotocol {
            selected: Some("ocpp2.0.1".into())
        }
    );
    server.join().unwrap();
}

#[test]
fn http_401_and_404_are_clear_errors() {
    for (status, code, words) in [
        (StatusCode::UNAUTHORIZED, 401, "AuthorizationKey"),
        (StatusCode::NOT_FOUND, 404, "charge point id"),
        (StatusCode::SERVICE_UNAVAILABLE, 503, "refused the WebSocket upgrade"),
    ] {
        let (port, server) = serve(move |s| refuse(s, status));
        let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
        let err = d.error();
        assert_eq!(err, WsError::HttpStatus(code));
        assert!(err.to_string().contains(words), "{err}");
        server.join().unwrap();
    }
}

/// A server that checks HTTP Basic (security profile 1) like a CSMS would.
fn basic_auth_server(stream: TcpStream) -> (Seen, bool) {
    let (tx, rx) = mpsc::channel();
    let callback = move |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        let seen = seen(req);
        let ok = seen.authorization.as_deref() == Some("Basic Q1BfMTowMTIzNDU2Nzg5YWJjZGVmMDEyMw==");
        tx.send(seen).unwrap();
        if !ok {
            let mut err = ErrorResponse::new(None);
            *err.status_mut() = StatusCode::UNAUTHORIZED;
            return Err(err);
        }
        resp.headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("ocpp1.6"));
        Ok(resp)
    };
    let accepted = match tungstenite::accept_hdr(stream, callback) {
        Ok(mut ws) => {
            ws.send(Message::Text("welcome".into())).unwrap();
            let _ = ws.close(None);
            let _ = ws.flush();
            true
        }
        Err(_) => false,
    };
    (rx.recv().unwrap(), accepted)
}

#[test]
fn basic_auth_accepted_and_refused() {
    // "CP_1:0123456789abcdef0123" in base64 is what the server checks.
    let (port, server) = serve(basic_auth_server);
    let mut cfg = config(&format!("ws://127.0.0.1:{port}/CP_1"));
    cfg.basic_auth = Some(("CP_1".into(), AUTH_KEY.into()));
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.text(), "welcome");
    let (seen, accepted) = server.join().unwrap();
    assert!(accepted);
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Basic Q1BfMTowMTIzNDU2Nzg5YWJjZGVmMDEyMw==")
    );

    let (port, server) = serve(basic_auth_server);
    let mut cfg = config(&format!("ws://127.0.0.1:{port}/CP_1"));
    cfg.basic_auth = Some(("CP_1".into(), "wrong-key-wrong-key".into()));
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    let err = d.error();
    assert_eq!(err, WsError::HttpStatus(401));
    assert!(err.to_string().contains("AuthorizationKey"));
    let (seen, accepted) = server.join().unwrap();
    assert!(!accepted);
    // base64("CP_1:wrong-key-wrong-key")
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Basic Q1BfMTp3cm9uZy1rZXktd3Jvbmcta2V5")
    );
}

#[test]
fn fragmented_text_from_the_server_is_reassembled() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        let text = OpCode::Data(Data::Text);
        let cont = OpCode::Data(Data::Continue);
        ws.write(Message::Frame(Frame::message("[3,\"1\",", text, false)))
            .unwrap();
        ws.write(Message::Ping("between".into())).unwrap();
        ws.write(Message::Frame(Frame::message("{\"a\":\"wö", cont, false)))
            .unwrap();
        ws.write(Message::Frame(Frame::message("rld\"}]", cont, true))).unwrap();
        ws.flush().unwrap();
        echo_until_close(&mut ws)
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.event(), WsEvent::Ping(b"between".to_vec()));
    assert_eq!(d.event(), WsEvent::Text("[3,\"1\",{\"a\":\"wörld\"}]".into()));
    d.client.close(1000, "", &mut d.rng);
    d.flush();
    assert!(matches!(d.event(), WsEvent::Closed { code: 1000, .. }));
    assert_eq!(server.join().unwrap(), Some((1000, String::new())));
}

#[test]
fn pings_both_ways() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        ws.send(Message::Ping("from server".into())).unwrap();
        // Reading answers the client's ping (tungstenite queues the pong itself).
        let mut pong = None;
        loop {
            match ws.read().unwrap() {
                Message::Pong(p) => {
                    pong = Some(p.to_vec());
                    ws.send(Message::Text("pong seen".into())).unwrap();
                }
                Message::Close(_) => {
                    let _ = ws.flush();
                    return pong;
                }
                _ => {}
            }
        }
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.event(), WsEvent::Ping(b"from server".to_vec()));
    assert_eq!(d.text(), "pong seen");
    d.client.send_ping(b"from client", &mut d.rng).unwrap();
    d.flush();
    assert_eq!(d.event(), WsEvent::Pong(b"from client".to_vec()));
    d.client.close(1001, "", &mut d.rng);
    d.flush();
    assert!(matches!(d.event(), WsEvent::Closed { code: 1001, .. }));
    assert_eq!(server.join().unwrap(), Some(b"from server".to_vec()));
}

#[test]
fn server_close_code_is_reported_and_echoed() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        ws.close(Some(CloseFrame {
            code: CloseCode::from(4001),
            reason: "bye".into(),
        }))
        .unwrap();
        // The client's echo completes the close handshake.
        loop {
            match ws.read() {
                Ok(_) => {}
                Err(tungstenite::Error::ConnectionClosed) => return true,
                Err(e) => panic!("server: {e}"),
            }
        }
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(
        d.event(),
        WsEvent::Closed {
            code: 4001,
            reason: "bye".into()
        }
    );
    assert!(server.join().unwrap(), "server saw the close echo");
    assert_eq!(d.next(), Step::Eof);
}

#[test]
fn oversize_message_is_refused_with_1009() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        ws.send(Message::Text("x".repeat(100_000).into())).unwrap();
        echo_until_close(&mut ws)
    });
    let mut cfg = config(&format!("ws://127.0.0.1:{port}/CP_1"));
    cfg.max_message_size = 1024;
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(
        d.error(),
        WsError::MessageTooLarge {
            size: 100_000,
            max: 1024
        }
    );
    assert_eq!(server.join().unwrap(), Some((1009, "message too big".into())));
}

#[test]
fn absurd_frame_length_is_refused_before_allocating() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        // A frame header announcing 2^62 bytes: allocating it would abort the test.
        ws.get_mut()
            .write_all(&[0x81, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0])
            .unwrap();
        echo_until_close(&mut ws)
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    let err = d.error();
    assert_eq!(
        err,
        WsError::MessageTooLarge {
            size: 1 << 62,
            max: ocpp_cp::ws::DEFAULT_MAX_MESSAGE_SIZE
        }
    );
    assert_eq!(err.close_code(), Some(1009));
    assert_eq!(server.join().unwrap().map(|c| c.0), Some(1009));
}

#[test]
fn binary_message_is_refused_with_1003() {
    let (port, server) = serve(|s| {
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        ws.send(Message::Binary(vec![1, 2, 3].into())).unwrap();
        echo_until_close(&mut ws)
    });
    let mut d = Driver::open_url(&format!("ws://127.0.0.1:{port}/CP_1"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.error().close_code(), Some(1003));
    assert_eq!(server.join().unwrap().map(|c| c.0), Some(1003));
}

/// A CA and a server certificate for localhost / 127.0.0.1, made fresh for each run.
struct TestPki {
    ca_file: std::path::PathBuf,
    server_config: Arc<rustls::ServerConfig>,
}

fn test_pki(name: &str) -> TestPki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ocpp-cp test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();

    let dir = std::env::temp_dir().join(format!("ocpp-cp-ws-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.as_ref().pem()).unwrap();

    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone()], key)
        .unwrap();
    TestPki {
        ca_file,
        server_config: Arc::new(server_config),
    }
}

#[test]
fn wss_with_a_test_ca() {
    let pki = test_pki("wss");
    let server_config = pki.server_config.clone();
    let (port, server) = serve(move |s| {
        let tls = rustls::StreamOwned::new(rustls::ServerConnection::new(server_config).unwrap(), s);
        let (mut ws, seen) = accept_with(tls, Some("ocpp1.6"));
        (seen, echo_until_close(&mut ws))
    });
    let tls = TlsSettings {
        ca_file: Some(pki.ca_file.clone()),
    };
    let mut d = Driver::open(&config(&format!("wss://localhost:{port}/secure/CP_1")), &tls);
    assert_eq!(d.event(), WsEvent::Opened);
    d.send("over TLS");
    assert_eq!(d.text(), "over TLS");
    d.client.close(1000, "bye", &mut d.rng);
    d.flush();
    assert!(matches!(d.event(), WsEvent::Closed { code: 1000, .. }));
    let (seen, close) = server.join().unwrap();
    assert_eq!(seen.path, "/secure/CP_1");
    assert_eq!(close, Some((1000, "bye".into())));
    let _ = std::fs::remove_dir_all(pki.ca_file.parent().unwrap());
}

#[test]
fn wss_refuses_a_server_the_roots_do_not_trust() {
    let pki = test_pki("untrusted");
    let server_config = pki.server_config.clone();
    let (port, server) = serve(move |s| {
        let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(server_config).unwrap(), s);
        // The client aborts the TLS handshake.
        std::io::Read::read(&mut tls, &mut [0u8; 16]).is_err()
    });
    // System roots do not know the test CA.
    let err = ocpp_cp::ws::HostLink::connect("localhost", port, true, &TlsSettings::default(), LIMIT).unwrap_err();
    assert!(
        err.to_string().contains("certificate") || err.to_string().contains("Certificate"),
        "{err}"
    );
    assert!(server.join().unwrap(), "server saw the handshake fail");
    let _ = std::fs::remove_dir_all(pki.ca_file.parent().unwrap());
}

#[test]
fn connection_reconnects_and_goes_offline_over_real_sockets() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        // First session: echo one message, then close with 1012 (service restart).
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        let msg = ws.read().unwrap();
        ws.send(msg).unwrap();
        ws.close(Some(CloseFrame {
            code: CloseCode::from(1012),
            reason: "restart".into(),
        }))
        .unwrap();
        while ws.read().is_ok() {}
        // Second session (after the backoff): echo until the client goes offline.
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(LIMIT)).unwrap();
        let (mut ws, _) = accept_with(s, Some("ocpp1.6"));
        echo_until_close(&mut ws)
    });
    let cfg = ConnectionConfig {
        backoff_min_ms: 100,
        backoff_max_ms: 400,
        jitter_percent: 10,
        ping_interval_s: 0,
        ..ConnectionConfig::default()
    };
    let mut h = HostLoop::new(config(&format!("ws://127.0.0.1:{port}/CP_1")), cfg);
    h.run_until(|e| (*e == ConnEvent::Connected).then_some(()));
    let now = h.now();
    h.conn.send_text(now, "hello 1", &mut h.rng).unwrap();
    let text = h.run_until(|e| match e {
        ConnEvent::Text(t) => Some(t.clone()),
        _ => None,
    });
    assert_eq!(text, "hello 1");
    let reason = h.run_until(|e| match e {
        ConnEvent::Disconnected { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, "closed by the central system: 1012 restart");
    let down_at = h.now();
    h.run_until(|e| (*e == ConnEvent::Connected).then_some(()));
    // backoff_min_ms 100 with 10 % jitter, clamped to the minimum.
    assert!(h.now().millis_since(down_at) >= 100, "waited the backoff");
    let now = h.now();
    h.conn.send_text(now, "hello 2", &mut h.rng).unwrap();
    h.run_until(|e| matches!(e, ConnEvent::Text(t) if t == "hello 2").then_some(()));
    let now = h.now();
    h.conn.disconnect(now);
    h.run_until(|e| matches!(e, ConnEvent::Disconnected { .. }).then_some(()));
    while h.link.is_some() {
        h.step();
    }
    assert_eq!(h.conn.state(), ocpp_cp::ws::ConnState::Offline);
    assert_eq!(server.join().unwrap(), Some((1000, "going offline".into())));
}

#[test]
fn connection_pong_watchdog_drops_a_silent_link() {
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (port, server) = serve(move |s| {
        let (ws, _) = accept_with(s, Some("ocpp1.6"));
        // Stay connected but never read, so the client's pings go unanswered.
        let _ = done_rx.recv_timeout(LIMIT);
        drop(ws);
    });
    let cfg = ConnectionConfig {
        ping_interval_s: 1,
        pong_timeout_ms: 300,
        ..ConnectionConfig::default()
    };
    let mut h = HostLoop::new(config(&format!("ws://127.0.0.1:{port}/CP_1")), cfg);
    h.run_until(|e| (*e == ConnEvent::Connected).then_some(()));
    let up = h.now();
    let reason = h.run_until(|e| match e {
        ConnEvent::Disconnected { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, "pong timeout");
    let after = h.now().millis_since(up);
    assert!((1300..6000).contains(&after), "dropped after {after} ms");
    h.step();
    assert!(h.link.is_none(), "socket closed");
    done_tx.send(()).unwrap();
    server.join().unwrap();
}
