//! Just enough HTTP/1.1 for the simulator's firmware download and diagnostics upload
//! (`http://` only: the servers are on the test machine).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::ws::Url;

/// Largest firmware image the simulator accepts.
const MAX_BODY: usize = 16 * 1024 * 1024;

fn connect(url: &str) -> Result<(TcpStream, Url), String> {
    // ws:// and http:// URLs share their syntax; reuse the WebSocket URL parser.
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// is supported"))?;
    let parsed = Url::parse(&format!("ws://{rest}")).map_err(|e| format!("{url}: {e}"))?;
    let addr = format!("{}:{}", parsed.host, parsed.port);
    let sock = TcpStream::connect(&addr).map_err(|e| format!("{addr}: {e}"))?;
    let t = Some(Duration::from_secs(30));
    sock.set_read_timeout(t)
        .and_then(|_| sock.set_write_timeout(t))
        .map_err(|e| e.to_string())?;
    Ok((sock, parsed))
}

/// Sends a request and returns (status, body).
fn exchange(url: &str, method: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let (mut sock, u) = connect(url)?;
    let head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        u.path,
        u.host,
        u.port,
        body.len()
    );
    sock.write_all(head.as_bytes())
        .and_then(|_| sock.write_all(body))
        .map_err(|e| e.to_string())?;
    let mut resp = Vec::new();
    sock.take(MAX_BODY as u64 + 65536)
        .read_to_end(&mut resp)
        .map_err(|e| e.to_string())?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("HTTP response without header end")?;
    let header = String::from_utf8_lossy(resp.get(..split).unwrap_or(&[])).to_string();
    let status = header
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad HTTP status line: {}", header.lines().next().unwrap_or("")))?;
    Ok((status, resp.get(split + 4..).unwrap_or(&[]).to_vec()))
}

/// GET `url`: the body of a 200 answer.
pub fn get(url: &str) -> Result<Vec<u8>, String> {
    match exchange(url, "GET", &[])? {
        (200, body) => Ok(body),
        (status, _) => Err(format!("GET {url}: HTTP {status}")),
    }
}

/// PUT `body` to `url` (a 2xx answer is success).
pub fn put(url: &str, body: &[u8]) -> Result<(), String> {
    match exchange(url, "PUT", body)? {
        (200..=299, _) => Ok(()),
        (status, _) => Err(format!("PUT {url}: HTTP {status}")),
    }
}
