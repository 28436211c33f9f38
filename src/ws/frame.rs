//! The RFC 6455 §5 frame codec: header parsing (one header at a time, no payload
//! buffering) and masked client frame encoding.

use alloc::vec::Vec;

use super::WsError;

/// Close status codes used here (RFC 6455 §7.4.1).
pub mod close_code {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// The endpoint is going away (shutdown, reboot).
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke the protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// The peer sent a kind of data we do not accept (binary, for OCPP-J).
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// Reported (never sent) when a close frame carried no code.
    pub const NO_STATUS: u16 = 1005;
    /// Reported (never sent) when the connection dropped without a close frame.
    pub const ABNORMAL: u16 = 1006;
    /// A text message was not valid UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// A message was larger than we accept.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
}

/// A frame opcode (RFC 6455 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpCode {
    /// Continuation of a fragmented message.
    Continuation,
    /// First frame of a text message.
    Text,
    /// First frame of a binary message.
    Binary,
    /// Close.
    Close,
    /// Ping.
    Ping,
    /// Pong.
    Pong,
}

impl OpCode {
    /// The opcode for the 4-bit wire value; `None` for the reserved values.
    pub fn from_bits(bits: u8) -> Option<OpCode> {
        Some(match bits {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            _ => return None,
        })
    }

    /// The 4-bit wire value.
    pub fn bits(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
        }
    }

    /// Close, ping and pong: at most 125 bytes and never fragmented (RFC 6455 §5.5).
    pub fn is_control(self) -> bool {
        matches!(self, OpCode::Close | OpCode::Ping | OpCode::Pong)
    }
}

/// Longest possible frame header: 2 bytes, 8 bytes of extended length, 4 of mask.
pub(crate) const MAX_HEADER: usize = 14;

/// Largest control frame payload (RFC 6455 §5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;

/// A parsed frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    pub fin: bool,
    pub opcode: OpCode,
    pub mask: Option<[u8; 4]>,
    pub len: u64,
}

fn protocol(reason: &'static str) -> WsError {
    WsError::Protocol {
        code: close_code::PROTOCOL_ERROR,
        reason,
    }
}

impl FrameHeader {
    /// Parses a header at the start of `buf`: `Ok(None)` until enough bytes are there,
    /// then the header and its length in bytes. Rejects what no server may send on a
    /// session without extensions (RFC 6455 §5.2, §5.5).
    pub fn parse(buf: &[u8]) -> Result<Option<(FrameHeader, usize)>, WsError> {
        let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
            return Ok(None);
        };
        if b0 & 0x70 != 0 {
            return Err(protocol("reserved bits set"));
        }
        let opcode = OpCode::from_bits(b0 & 0x0F).ok_or(protocol("reserved opcode"))?;
        let fin = b0 & 0x80 != 0;
        let masked = b1 & 0x80 != 0;
        let (len, mut at) = match b1 & 0x7F {
            126 => match buf.get(2..4).and_then(|b| <[u8; 2]>::try_from(b).ok()) {
                Some(n) => (u64::from(u16::from_be_bytes(n)), 4),
                None => return Ok(None),
            },
            127 => match buf.get(2..10).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
                Some(n) => (u64::from_be_bytes(n), 10),
                None => return Ok(None),
            },
            n => (u64::from(n), 2),
        };
        // §5.2: the most significant bit of a 64-bit length must be 0.
        if len >> 63 != 0 {
            return Err(protocol("frame length with the top bit set"));
        }
        if opcode.is_control() {
            if !fin {
                return Err(protocol("fragmented control frame"));
            }
            if len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(protocol("control frame longer than 125 bytes"));
            }
        }
        let mask = if masked {
            let Some(m) = buf.get(at..at + 4).and_then(|m| <[u8; 4]>::try_from(m).ok()) else {
                return Ok(None);
            };
            at += 4;
            Some(m)
        } else {
            None
        };
        Ok(Some((FrameHeader { fin, opcode, mask, len }, at)))
    }
}

/// XORs `data` with `mask`, `offset` bytes into the payload (RFC 6455 §5.3).
pub(crate) fn apply_mask(data: &mut [u8], mask: [u8; 4], offset: usize) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= mask[(offset + i) % 4];
    }
}

/// Appends one complete client frame: always masked with `mask` (RFC 6455 §5.3).
pub(crate) fn write_frame(out: &mut Vec<u8>, fin: bool, opcode: OpCode, payload: &[u8], mask: [u8; 4]) {
    out.push(if fin { 0x80 } else { 0 } | opcode.bits());
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(0x80 | 126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&mask);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(body) = out.get_mut(start..) {
        apply_mask(body, mask, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    // RFC 6455 §5.7 examples.
    const HELLO: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    const MASKED_HELLO: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    #[test]
    fn encodes_the_rfc_masked_hello() {
        let mut out = Vec::new();
        write_frame(&mut out, true, OpCode::Text, b"Hello", MASK);
        assert_eq!(out, MASKED_HELLO);
        // §5.7 masked pong with the same body.
        let mut pong = Vec::new();
        write_frame(&mut pong, true, OpCode::Pong, b"Hello", MASK);
        assert_eq!(pong, [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn parses_the_rfc_examples() {
        let (h, n) = FrameHeader::parse(&HELLO).unwrap().unwrap();
        assert_eq!((h.fin, h.opcode, h.mask, h.len, n), (true, OpCode::Text, None, 5, 2));
        let (h, n) = FrameHeader::parse(&MASKED_HELLO).unwrap().unwrap();
        assert_eq!((h.mask, h.len, n), (Some(MASK), 5, 6));
        let mut body = MASKED_HELLO[6..].to_vec();
        apply_mask(&mut body, MASK, 0);
        assert_eq!(body, b"Hello");
        // Fragmented "Hel" + "lo".
        let (h, _) = FrameHeader::parse(&[0x01, 0x03, 0x48, 0x65, 0x6c]).unwrap().unwrap();
        assert_eq!((h.fin, h.opcode, h.len), (false, OpCode::Text, 3));
        let (h, _) = FrameHeader::parse(&[0x80, 0x02, 0x6c, 0x6f]).unwrap().unwrap();
        assert_eq!((h.fin, h.opcode, h.len), (true, OpCode::Continuation, 2));
        // 256-byte and 64 KiB binary frames: 16-bit and 64-bit lengths.
        let (h, n) = FrameHeader::parse(&[0x82, 0x7E, 0x01, 0x00]).unwrap().unwrap();
        assert_eq!((h.opcode, h.len, n), (OpCode::Binary, 256, 4));
        let big = [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00];
        let (h, n) = FrameHeader::parse(&big).unwrap().unwrap();
        assert_eq!((h.len, n), (65536, 10));
    }

    #[test]
    fn waits_for_a_whole_header() {
        let big = [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00];
        for cut in 0..big.len() {
            assert_eq!(FrameHeader::parse(&big[..cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(FrameHeader::parse(&MASKED_HELLO[..5]), Ok(None));
    }

    #[test]
    fn rejects_what_a_server_may_not_send() {
        let code = |b: &[u8]| FrameHeader::parse(b).err().and_then(|e| e.close_code());
        assert_eq!(code(&[0xC1, 0x00]), Some(1002)); // RSV1 without an extension
        assert_eq!(code(&[0x83, 0x00]), Some(1002)); // reserved opcode 3
        assert_eq!(code(&[0x8B, 0x00]), Some(1002)); // reserved control opcode 0xB
        assert_eq!(code(&[0x09, 0x00]), Some(1002)); // fragmented ping
        assert_eq!(code(&[0x89, 0x7E, 0x00, 0x7E]), Some(1002)); // 126-byte ping
        assert_eq!(code(&[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0]), Some(1002));
    }

    #[test]
    fn encodes_long_lengths() {
        let payload = vec![0u8; 300];
        let mut out = Vec::new();
        write_frame(&mut out, false, OpCode::Text, &payload, [0, 0, 0, 0]);
        assert_eq!(&out[..4], &[0x01, 0xFE, 0x01, 0x2C]);
        assert_eq!(out.len(), 4 + 4 + 300);
        let payload = vec![0u8; 70_000];
        out.clear();
        write_frame(&mut out, true, OpCode::Binary, &payload, [1, 2, 3, 4]);
        assert_eq!(&out[..10], &[0x82, 0xFF, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70]);
        assert_eq!(&out[14..18], &[1, 2, 3, 4]);
    }
}
