//! The WebSocket client against a Python `websockets` server (tests/ws/ws_server.py):
//! handshake refusals, Basic auth, fragmentation, ping/pong, close codes and oversize
//! messages both ways.
//!
//! The interpreter is `$OCPP_PYTHON`, else the repository's `.venv/bin/python` (made by
//! scripts/setup.sh), else `python3`. Without python or its `websockets` module the test
//! prints why and passes without checking anything.
#![cfg(feature = "std")]

#[path = "ws/common.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;

use common::{config, Driver, Step, LIMIT};
use ocpp_cp::ws::{TlsSettings, WsError, WsEvent};

/// This test file's folder, whether cargo passed the path relative to the package or absolute.
fn tests_dir() -> PathBuf {
    let file = Path::new(file!());
    let file = if file.is_absolute() {
        file.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
    };
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("OCPP_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = tests_dir().join("../.venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// The running server: its port and the JSON lines it prints per finished connection.
struct PyServer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    port: u16,
}

impl PyServer {
    fn start() -> Option<PyServer> {
        let python = python();
        let has_module = Command::new(&python)
            .args(["-c", "import websockets"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !has_module {
            // Straight to stderr: the test harness would capture println!.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED ws_python: {} cannot import the `websockets` module \
                 (run scripts/setup.sh or set OCPP_PYTHON)",
                python.display()
            );
            return None;
        }
        let mut child = Command::new(&python)
            .arg(tests_dir().join("ws/ws_server.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ws_server.py");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines.recv_timeout(LIMIT).expect("the server prints its port");
        let port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .expect("PORT <n>");
        Some(PyServer {
            child,
            stdin,
            lines,
            port,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    /// The server's next report line (one per finished connection).
    #[track_caller]
    fn report(&self) -> String {
        self.lines.recv_timeout(LIMIT).expect("a report line from the server")
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        // Every report was read: stop the server (our own child, by its handle).
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn closed_code(d: &mut Driver) -> u16 {
    loop {
        match d.next() {
            Step::Event(WsEvent::Closed { code, .. }) => return code,
            Step::Event(WsEvent::Ping(_) | WsEvent::Pong(_)) => {}
            other => panic!("expected Closed, got {other:?}"),
        }
    }
}

#[test]
fn against_python_websockets() {
    let Some(server) = PyServer::start() else {
        return;
    };

    // Handshake, echo, our ping, our close.
    let mut d = Driver::open_url(&server.url("/echo"));
    assert_eq!(d.event(), WsEvent::Opened);
    d.send(r#"[2,"42","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#);
    assert_eq!(
        d.text(),
        r#"[2,"42","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#
    );
    d.client.send_ping(b"rust-ping", &mut d.rng).unwrap();
    d.flush();
    assert_eq!(d.event(), WsEvent::Pong(b"rust-ping".to_vec()));
    d.client.close(4002, "client done", &mut d.rng);
    d.flush();
    assert_eq!(closed_code(&mut d), 4002);
    // After the close handshake the host closes its socket (the server waits for that).
    drop(d);
    let report = server.report();
    assert!(report.contains(r#""path": "/echo""#), "{report}");
    assert!(report.contains(r#""subprotocol": "ocpp1.6""#), "{report}");
    assert!(report.contains(r#""close_code": 4002"#), "{report}");
    assert!(report.contains(r#""close_reason": "client done""#), "{report}");

    // Refusals.
    let mut d = Driver::open_url(&server.url("/missing"));
    assert_eq!(d.error(), WsError::HttpStatus(404));
    let mut d = Driver::open_url(&server.url("/noproto"));
    assert_eq!(d.error(), WsError::Subprotocol { selected: None });
    drop(d); // a failed handshake leaves the socket to the host to close
    let report = server.report();
    assert!(report.contains(r#""path": "/noproto""#), "{report}");

    // Basic auth: refused with the wrong AuthorizationKey, accepted with the right one.
    let mut cfg = config(&server.url("/auth/CP_7"));
    cfg.basic_auth = Some(("CP_7".into(), "not-the-key-at-all".into()));
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    assert_eq!(d.error(), WsError::HttpStatus(401));
    let report = server.report();
    // base64("CP_7:not-the-key-at-all")
    assert!(
        report.contains(r#""authorization": "Basic Q1BfNzpub3QtdGhlLWtleS1hdC1hbGw=""#),
        "{report}"
    );
    assert!(report.contains(r#""refused": 401"#), "{report}");
    cfg.basic_auth = Some(("CP_7".into(), "0123456789abcdef0123".into()));
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    assert_eq!(d.event(), WsEvent::Opened);
    d.send("authorized");
    assert_eq!(d.text(), "authorized");
    d.client.close(1000, "", &mut d.rng);
    d.flush();
    assert_eq!(closed_code(&mut d), 1000);
    drop(d);
    let report = server.report();
    assert!(
        report.contains(r#""authorization": "Basic Q1BfNzowMTIzNDU2Nzg5YWJjZGVmMDEyMw==""#),
        "{report}"
    );

    // A fragmented message from the server.
    let mut d = Driver::open_url(&server.url("/fragments"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.text(), "Hello wörld");
    d.client.close(1000, "", &mut d.rng);
    d.flush();
    assert_eq!(closed_code(&mut d), 1000);
    drop(d);
    let _ = server.report();

    // The server pings; our automatic pong lets it go on.
    let mut d = Driver::open_url(&server.url("/ping"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(d.event(), WsEvent::Ping(b"py-ping".to_vec()));
    assert_eq!(d.text(), "pong received");
    d.client.close(1000, "", &mut d.rng);
    d.flush();
    assert_eq!(closed_code(&mut d), 1000);
    drop(d);
    let _ = server.report();

    // The server closes with its own code.
    let mut d = Driver::open_url(&server.url("/close"));
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(
        d.event(),
        WsEvent::Closed {
            code: 4001,
            reason: "bye from python".into()
        }
    );
    drop(d);
    let report = server.report();
    assert!(report.contains(r#""close_code": 4001"#), "{report}");

    // Oversize from the server: refused from the frame header with 1009.
    let mut cfg = config(&server.url("/big"));
    cfg.max_message_size = 4096;
    let mut d = Driver::open(&cfg, &TlsSettings::default());
    assert_eq!(d.event(), WsEvent::Opened);
    assert_eq!(
        d.error(),
        WsError::MessageTooLarge {
            size: 100_000,
            max: 4096
        }
    );
    drop(d);
    let report = server.report();
    assert!(report.contains(r#""close_code": 1009"#), "{report}");

    // Oversize to the server (its max_size is 65536): it closes with 1009.
    let mut d = Driver::open_url(&server.url("/echo"));
    assert_eq!(d.event(), WsEvent::Opened);
    d.send(&"y".repeat(70_000));
    assert_eq!(closed_code(&mut d), 1009);
    drop(d);
    let report = server.report();
    assert!(report.contains(r#""sent_code": 1009"#), "{report}");
}
