//! [`Url`]: the central system's `ws://` or `wss://` address.

use alloc::string::String;
use core::fmt;

/// A parsed WebSocket URL (RFC 6455 §3): scheme, host, port and request path.
///
/// The path keeps the query; OCPP-J appends the charge point id to the path itself
/// (`ws://csms.example/ocpp/CP_1`), so the URL is taken as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `wss://` (TLS) rather than `ws://`.
    pub secure: bool,
    /// Host name or IP address; an IPv6 address without its brackets.
    pub host: String,
    /// TCP port (80 for `ws://`, 443 for `wss://` unless given).
    pub port: u16,
    /// Request target: the path, starting with `/`, plus any `?query`.
    pub path: String,
}

/// Why a string is not a usable WebSocket URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// The scheme is not `ws://` or `wss://`.
    Scheme,
    /// There is no host.
    EmptyHost,
    /// The host has a character a host name or IP literal cannot have, or an unclosed `[`.
    InvalidHost,
    /// The port is not a number from 1 to 65535.
    InvalidPort,
    /// `user:password@` in the URL: give credentials as the AuthorizationKey instead.
    UserInfo,
    /// A `#fragment`, which RFC 6455 §3 forbids in WebSocket URLs.
    Fragment,
    /// The path has a space, a control or a non-ASCII character (percent-encode it).
    InvalidCharacter,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Scheme => "URL must start with ws:// or wss://",
            UrlError::EmptyHost => "URL has no host",
            UrlError::InvalidHost => "URL host is not a valid host name or IP address",
            UrlError::InvalidPort => "URL port must be a number from 1 to 65535",
            UrlError::UserInfo => "URL must not contain user:password@ (set the AuthorizationKey instead)",
            UrlError::Fragment => "WebSocket URL must not contain a #fragment",
            UrlError::InvalidCharacter => {
                "URL path contains a space, control or non-ASCII character (percent-encode it)"
            }
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UrlError {}

impl Url {
    /// Parses `ws://host[:port][/path][?query]` or the same with `wss://`.
    ///
    /// The scheme is case-insensitive; an IPv6 host is written in brackets
    /// (`ws://[::1]:9000/CP_1`); without a path the request target is `/`.
    pub fn parse(s: &str) -> Result<Url, UrlError> {
        let (secure, rest) = if let Some(rest) = strip_prefix_ignore_case(s, "wss://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(s, "ws://") {
            (false, rest)
        } else {
            return Err(UrlError::Scheme);
        };
        if rest.contains('#') {
            return Err(UrlError::Fragment);
        }
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let (v6, after) = inner.split_once(']').ok_or(UrlError::InvalidHost)?;
            if v6.is_empty() || !v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
                return Err(UrlError::InvalidHost);
            }
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(UrlError::InvalidPort)?),
            };
            (v6, port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            let host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
            if !host.chars().all(host_char) {
                return Err(UrlError::InvalidHost);
            }
            (host, port)
        };
        if host.is_empty() {
            return Err(UrlError::EmptyHost);
        }
        let port = match port {
            None => {
                if secure {
                    443
                } else {
                    80
                }
            }
            Some(p) => parse_port(p)?,
        };
        // A space or control character would break the HTTP request line (and allow header injection).
        if !target.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(UrlError::InvalidCharacter);
        }
        let mut path = String::new();
        if !target.starts_with('/') {
            path.push('/');
        }
        path.push_str(target);
        Ok(Url {
            secure,
            host: host.into(),
            port,
            path,
        })
    }

    /// The port this scheme uses when none is written.
    pub fn default_port(&self) -> u16 {
        if self.secure {
            443
        } else {
            80
        }
    }

    /// Writes `host[:port]` as an HTTP `Host` header wants it (RFC 7230 §5.4): the
    /// port only when it is not the default, an IPv6 address in brackets.
    pub(crate) fn write_authority(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.host.contains(':') {
            write!(out, "[{}]", self.host)?;
        } else {
            out.write_str(&self.host)?;
        }
        if self.port != self.default_port() {
            write!(out, ":{}", self.port)?;
        }
        Ok(())
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "wss://" } else { "ws://" })?;
        self.write_authority(f)?;
        f.write_str(&self.path)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

fn parse_port(p: &str) -> Result<u16, UrlError> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::InvalidPort);
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(UrlError::InvalidPort),
        Ok(port) => Ok(port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn url(secure: bool, host: &str, port: u16, path: &str) -> Url {
        Url {
            secure,
            host: host.into(),
            port,
            path: path.into(),
        }
    }

    #[test]
    fn parses_ocpp_urls() {
        assert_eq!(
            Url::parse("ws://127.0.0.1:9000/CP_1"),
            Ok(url(false, "127.0.0.1", 9000, "/CP_1"))
        );
        assert_eq!(
            Url::parse("WSS://csms.example.com/steve/websocket/CentralSystemService/CP_1"),
            Ok(url(
                true,
                "csms.example.com",
                443,
                "/steve/websocket/CentralSystemService/CP_1"
            ))
        );
        assert_eq!(Url::parse("ws://csms"), Ok(url(false, "csms", 80, "/")));
        assert_eq!(
            Url::parse("ws://[::1]:8180/ocpp/CP_1"),
            Ok(url(false, "::1", 8180, "/ocpp/CP_1"))
        );
        assert_eq!(Url::parse("wss://[fe80::1]"), Ok(url(true, "fe80::1", 443, "/")));
        assert_eq!(
            Url::parse("ws://h:1?token=a%20b"),
            Ok(url(false, "h", 1, "/?token=a%20b"))
        );
        assert_eq!(Url::parse("ws://h/p?q=1"), Ok(url(false, "h", 80, "/p?q=1")));
    }

    #[test]
    fn rejects_bad_urls_with_clear_errors() {
        assert_eq!(Url::parse("http://h/"), Err(UrlError::Scheme));
        assert_eq!(Url::parse("ws:/h"), Err(UrlError::Scheme));
        assert_eq!(Url::parse("ws://"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://:9000/x"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://h:0/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:65536/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:+80/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://[::1/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://[::1]x/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://[]/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://h st/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://user:pw@h/"), Err(UrlError::UserInfo));
        assert_eq!(Url::parse("ws://h/a#b"), Err(UrlError::Fragment));
        assert_eq!(Url::parse("ws://h/a b"), Err(UrlError::InvalidCharacter));
        assert_eq!(Url::parse("ws://h/a\r\nX: y"), Err(UrlError::InvalidCharacter));
        assert_eq!(Url::parse("ws://h/ä"), Err(UrlError::InvalidCharacter));
        assert!(UrlError::Scheme.to_string().contains("ws://"));
    }

    #[test]
    fn display_gives_the_url_back() {
        for s in [
            "ws://127.0.0.1:9000/CP_1",
            "wss://csms.example.com/ocpp/CP_1",
            "ws://[::1]:8180/x?y=z",
            "ws://h/",
        ] {
            assert_eq!(Url::parse(s).map(|u| u.to_string()).as_deref(), Ok(s));
        }
        assert_eq!(Url::parse("ws://h:80").map(|u| u.to_string()).as_deref(), Ok("ws://h/"));
    }
}
