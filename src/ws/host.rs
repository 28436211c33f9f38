//! The Linux transport (feature `std`): a TCP socket, with rustls TLS for `wss://`,
//! blocking with timeouts so a simple loop can drive a [`crate::ws::Connection`].
//!
//! Server certificates are verified against the system's roots (read with
//! `rustls-native-certs`, so a CA installed on the machine is trusted as by every other
//! program) or against the CA file the user gives ([`TlsSettings::ca_file`]).

use std::fs::File;
use std::io::{self, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

/// How long [`HostLink::read`] waits for data before it reports `WouldBlock`.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_millis(20);

/// TLS settings for `wss://`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// A PEM file of CA certificates to trust instead of the system's roots
    /// (e.g. a private central system's CA); `None` = the system's roots.
    pub ca_file: Option<PathBuf>,
}

impl TlsSettings {
    /// The rustls client configuration: ring provider, TLS 1.2 and 1.3, these roots.
    fn client_config(&self) -> io::Result<Arc<ClientConfig>> {
        let mut roots = RootCertStore::empty();
        match &self.ca_file {
            Some(path) => {
                let file = File::open(path)
                    .map_err(|e| io::Error::new(e.kind(), format!("CA file {}: {e}", path.display())))?;
                for cert in CertificateDer::pem_reader_iter(BufReader::new(file)) {
                    let cert = cert.map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
                    roots
                        .add(cert)
                        .map_err(|e| invalid(format!("CA file {}: {e}", path.display())))?;
                }
                if roots.is_empty() {
                    return Err(invalid(format!("CA file {} holds no certificate", path.display())));
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    return Err(invalid(String::from(
                        "no system CA certificates found (install ca-certificates or give a CA file)",
                    )));
                }
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, msg)
}

enum Stream {
    Plain(TcpStream),
    Tls {
        conn: Box<ClientConnection>,
        sock: TcpStream,
    },
}

/// One TCP (or TLS over TCP) connection to the central system.
///
/// [`HostLink::read`] follows `std::io` conventions with a short read timeout:
/// `Ok(n > 0)` is data, `Ok(0)` is end of stream (the server closed), and an error of
/// kind [`ErrorKind::WouldBlock`] means no data arrived within the read timeout
/// ([`DEFAULT_READ_TIMEOUT`], see [`HostLink::set_read_timeout`]): poll again.
pub struct HostLink {
    stream: Stream,
}

impl std::fmt::Debug for HostLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.stream {
            Stream::Plain(_) => "tcp",
            Stream::Tls { .. } => "tls",
        };
        f.debug_struct("HostLink").field("stream", &kind).finish()
    }
}

impl HostLink {
    /// Connects to `host:port`, trying each address it resolves to, within `timeout`
    /// per address; with `secure`, completes the TLS handshake (certificate verified
    /// for `host`) within `timeout` too. Name resolution itself uses the system resolver.
    pub fn connect(host: &str, port: u16, secure: bool, tls: &TlsSettings, timeout: Duration) -> io::Result<HostLink> {
        // Build the TLS configuration first: a bad CA file is reported before any traffic.
        let tls_config = if secure { Some(tls.client_config()?) } else { None };
        let mut last_error = io::Error::new(ErrorKind::NotFound, format!("{host}: no address"));
        let mut sock = None;
        for addr in (host, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(s) => {
                    sock = Some(s);
                    break;
                }
                Err(e) => last_error = e,
            }
        }
        let sock = sock.ok_or(last_error)?;
        sock.set_nodelay(true)?;
        sock.set_write_timeout(Some(timeout))?;
        sock.set_read_timeout(Some(timeout))?;
        let stream = match tls_config {
            None => Stream::Plain(sock),
            Some(config) => {
                let name = ServerName::try_from(host.to_owned())
                    .map_err(|e| io::Error::new(ErrorKind::InvalidInput, format!("{host}: {e}")))?;
                let mut conn = ClientConnection::new(config, name).map_err(|e| invalid(e.to_string()))?;
                let mut sock = sock;
                while conn.is_handshaking() {
                    conn.complete_io(&mut sock).map_err(|e| match e.kind() {
                        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                            io::Error::new(ErrorKind::TimedOut, "TLS handshake timed out")
                        }
                        _ => io::Error::new(e.kind(), format!("TLS handshake with {host}: {e}")),
                    })?;
                }
                Stream::Tls {
                    conn: Box::new(conn),
                    sock,
                }
            }
        };
        let mut link = HostLink { stream };
        link.set_read_timeout(DEFAULT_READ_TIMEOUT)?;
        Ok(link)
    }

    /// How long [`HostLink::read`] waits for data (at least 1 ms).
    pub fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        self.sock()
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
    }

    /// Reads what arrived: `Ok(0)` at end of stream, `WouldBlock` when nothing came
    /// within the read timeout. For TLS, a peer that closes without `close_notify` is
    /// end of stream too (WebSocket has its own close handshake).
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.stream {
            Stream::Plain(sock) => sock.read(buf).map_err(would_block),
            Stream::Tls { conn, sock } => loop {
                match conn.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
                match conn.read_tls(sock) {
                    Ok(0) => return Ok(0),
                    Ok(_) => {
                        conn.process_new_packets().map_err(|e| invalid(e.to_string()))?;
                        // Alerts or key updates may need an answer.
                        while conn.wants_write() {
                            conn.write_tls(sock)?;
                        }
                    }
                    Err(e) => return Err(would_block(e)),
                }
            },
        }
    }

    /// Writes all of `data`, blocking up to the connect timeout per write.
    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(sock) => sock.write_all(data),
            Stream::Tls { conn, sock } => {
                conn.writer().write_all(data)?;
                while conn.wants_write() {
                    conn.write_tls(sock)?;
                }
                sock.flush()
            }
        }
    }

    /// Closes the connection (TLS `close_notify` first); errors are ignored, the
    /// socket is gone either way.
    pub fn shutdown(mut self) {
        if let Stream::Tls { conn, sock } = &mut self.stream {
            conn.send_close_notify();
            while conn.wants_write() {
                if conn.write_tls(sock).is_err() {
                    break;
                }
            }
        }
        let _ = self.sock().shutdown(Shutdown::Both);
    }

    fn sock(&mut self) -> &mut TcpStream {
        match &mut self.stream {
            Stream::Plain(sock) | Stream::Tls { sock, .. } => sock,
        }
    }
}

/// A read timeout is `WouldBlock` on Unix and `TimedOut` on Windows: report one kind.
fn would_block(e: io::Error) -> io::Error {
    if e.kind() == ErrorKind::TimedOut {
        io::Error::from(ErrorKind::WouldBlock)
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair() -> (HostLink, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let link = HostLink::connect(
            "127.0.0.1",
            port,
            false,
            &TlsSettings::default(),
            Duration::from_secs(5),
        )
        .unwrap();
        let (server, _) = listener.accept().unwrap();
        (link, server)
    }

    #[test]
    fn read_tells_no_data_from_eof() {
        let (mut link, mut server) = pair();
        let mut buf = [0u8; 16];
        let err = link.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock);
        server.write_all(b"abc").unwrap();
        link.set_read_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(link.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"abc");
        link.write_all(b"xyz").unwrap();
        let mut got = [0u8; 3];
        server.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"xyz");
        drop(server);
        assert_eq!(link.read(&mut buf).unwrap(), 0);
        link.shutdown();
    }

    #[test]
    fn refused_connect_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let r = HostLink::connect(
            "127.0.0.1",
            port,
            false,
            &TlsSettings::default(),
            Duration::from_secs(5),
        );
        assert!(r.is_err());
    }

    #[test]
    fn missing_ca_file_is_reported_before_connecting() {
        let tls = TlsSettings {
            ca_file: Some(PathBuf::from("/nonexistent/ocpp-ca.pem")),
        };
        let err = HostLink::connect("127.0.0.1", 1, true, &tls, Duration::from_secs(1)).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ocpp-ca.pem"), "{err}");
    }
}
