//! A corpus of malformed and hostile frames from the central system, each with the answer the
//! charge point must give (`tests/corpus/frames.tsv`; its header explains the format).
//!
//! - Every line goes through the WebSocket client first, as on the wire: invalid UTF-8 closes
//!   the session with 1007 (RFC 6455 §8.1), a message above the 16 KiB default closes it with
//!   1009 from the frame header, before any of it is buffered.
//! - Every line that is text then goes to one charge point (`Sim`) on the same link, which
//!   must answer exactly as the line says and stay connected; a normal exchange follows.
//! - Duplicate message ids, results for ids we never used, a flood of 10,000 calls and 1 MB
//!   frames are checked with a counting allocator: bytes requested and not yet freed by the
//!   test's own thread, so tests running in parallel do not disturb each other.
//!
//! `CORPUS_REPORT=1 cargo test --test corpus -- --nocapture` prints counts per category,
//! the known deviations and the largest memory peaks.
//!
//! The answers assume every feature profile is built in (the default features) and the
//! charge point of `common::config()`: two connectors, DataTransfer vendor `org.example`,
//! a cable lock.
#![cfg(all(
    feature = "smart-charging",
    feature = "local-auth-list",
    feature = "reservation",
    feature = "firmware-management"
))]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use common::Sim;
use ocpp_cp::cp::{Event, Registration};
use ocpp_cp::rand::XorShift32;
use ocpp_cp::ws::{accept_key, Client, ClientConfig, Url, WsEvent, DEFAULT_MAX_MESSAGE_SIZE};
use serde_json::{json, Value};

// ------------------------------------------------------------------------------------------
// Counting allocator
// ------------------------------------------------------------------------------------------

/// The system allocator, counting per thread the bytes requested and not yet freed.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // try_with: the allocator also runs while a thread's locals are torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call goes unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes this thread holds now.
fn live() -> isize {
    LIVE.with(Cell::get)
}

/// Starts a new peak measurement; returns the bytes held now (the base).
fn start_peak() -> isize {
    let now = live();
    PEAK.with(|p| p.set(now));
    now
}

/// The most bytes this thread held since [`start_peak`].
fn peak() -> isize {
    PEAK.with(Cell::get)
}

// ------------------------------------------------------------------------------------------
// The corpus file
// ------------------------------------------------------------------------------------------

/// What the charge point (or, for `CLOSE`, the WebSocket layer) answers to one frame.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    /// `[4, id, code, description, details]`.
    CallError { id: String, code: String },
    /// `[3, id, payload]`; a `None` payload matches any.
    Result { id: String, payload: Option<Value> },
    /// No frame at all.
    Nothing,
    /// The WebSocket session closes with this code.
    Close(u16),
}

impl Answer {
    /// Whether `actual` (always with a payload) is what `self` expects.
    fn matches(&self, actual: &Answer) -> bool {
        match (self, actual) {
            (Answer::Result { id, payload: None }, Answer::Result { id: got, .. }) => id == got,
            _ => self == actual,
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = |id: &str| {
            let n = id.chars().count();
            if n > 50 {
                let head: String = id.chars().take(40).collect();
                format!("{}...({n} chars)", serde_json::to_string(&head).unwrap_or_default())
            } else {
                serde_json::to_string(id).unwrap_or_default()
            }
        };
        match self {
            Answer::CallError { id, code } => write!(f, "CALLERROR {} {code}", short(id)),
            Answer::Result { id, payload: None } => write!(f, "RESULT {}", short(id)),
            Answer::Result { id, payload: Some(p) } => {
                let mut p = p.to_string();
                if p.chars().count() > 200 {
                    p = p.chars().take(200).collect::<String>() + "...";
                }
                write!(f, "RESULT {} {p}", short(id))
            }
            Answer::Nothing => f.write_str("NONE"),
            Answer::Close(code) => write!(f, "CLOSE {code}"),
        }
    }
}

/// One line of the corpus.
struct Case {
    line: usize,
    name: String,
    frame: Vec<u8>,
    /// What the specification asks for.
    want: Answer,
    /// What this charge point answers instead, for a known deviation (`SPEC ~ NOW`).
    now: Option<Answer>,
}

impl Case {
    fn category(&self) -> &str {
        self.name.split('.').next().unwrap_or("")
    }

    /// The answer the test holds the charge point to today.
    fn expected(&self) -> &Answer {
        self.now.as_ref().unwrap_or(&self.want)
    }

    /// The frame as JSON, when it is a CALL of a known shape: (action, payload).
    fn call(&self) -> Option<(String, Value)> {
        let v: Value = serde_json::from_slice(&self.frame).ok()?;
        let a = v.as_array()?;
        if a.first()? != 2 || a.len() != 4 {
            return None;
        }
        Some((a.get(2)?.as_str()?.to_string(), a.get(3)?.clone()))
    }
}

/// Expands `<<hex bytes>>` and `<<rep N TEXT>>` (TEXT starts after exactly one space).
fn expand(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("<<") {
        out.extend_from_slice(&rest.as_bytes()[..start]);
        let after = &rest[start + 2..];
        let end = after.find(">>").ok_or("`<<` without `>>`")?;
        let token = &after[..end];
        if let Some(r) = token.strip_prefix("rep ") {
            let (n, text) = r.split_once(' ').ok_or("`<<rep N TEXT>>` without TEXT")?;
            let n: usize = n.parse().map_err(|_| format!("bad count in <<{token}>>"))?;
            out.extend_from_slice(text.repeat(n).as_bytes());
        } else {
            let digits: Vec<char> = token.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.is_empty() || digits.len() % 2 != 0 {
                return Err(format!("<<{token}>> is neither `rep` nor pairs of hex digits"));
            }
            for pair in digits.chunks(2) {
                let hex: String = pair.iter().collect();
                out.push(u8::from_str_radix(&hex, 16).map_err(|_| format!("bad hex in <<{token}>>"))?);
            }
        }
        rest = &after[end + 2..];
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

/// A JSON string literal at the start of `s`, and what follows it.
fn json_string_prefix(s: &str) -> Result<(String, &str), String> {
    let mut it = serde_json::Deserializer::from_str(s).into_iter::<String>();
    let id = it
        .next()
        .ok_or("message id missing")?
        .map_err(|e| format!("message id is not a JSON string: {e}"))?;
    Ok((id, &s[it.byte_offset()..]))
}

fn parse_answer(s: &str) -> Result<Answer, String> {
    let s = s.trim();
    if s == "NONE" {
        return Ok(Answer::Nothing);
    }
    if let Some(code) = s.strip_prefix("CLOSE ") {
        return code
            .trim()
            .parse()
            .map(Answer::Close)
            .map_err(|_| format!("bad close code {code}"));
    }
    if let Some(rest) = s.strip_prefix("CALLERROR ") {
        let (id, rest) = json_string_prefix(rest.trim_start())?;
        let code = rest.trim();
        if code.is_empty() || code.contains(char::is_whitespace) {
            return Err(format!("bad error code `{code}`"));
        }
        return Ok(Answer::CallError {
            id,
            code: code.to_string(),
        });
    }
    if let Some(rest) = s.strip_prefix("RESULT ") {
        let (id, rest) = json_string_prefix(rest.trim_start())?;
        let payload = match rest.trim() {
            "" => None,
            p => Some(serde_json::from_str(p).map_err(|e| format!("bad payload: {e}"))?),
        };
        return Ok(Answer::Result { id, payload });
    }
    Err(format!("`{s}` is not NONE, CLOSE, CALLERROR or RESULT"))
}

fn load() -> Vec<Case> {
    let text = include_str!("corpus/frames.tsv");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(name), Some(expect), Some(frame)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("frames.tsv:{n}: want NAME<TAB>EXPECT<TAB>FRAME");
        };
        let expect = String::from_utf8(expand(expect).unwrap_or_else(|e| panic!("frames.tsv:{n}: {e}")))
            .unwrap_or_else(|_| panic!("frames.tsv:{n}: expectation is not UTF-8"));
        let (want, now) = match expect.split_once(" ~ ") {
            Some((spec, today)) => (spec, Some(today)),
            None => (expect.as_str(), None),
        };
        let parse = |s: &str| parse_answer(s).unwrap_or_else(|e| panic!("frames.tsv:{n}: {e}"));
        let case = Case {
            line: n,
            name: name.to_string(),
            frame: expand(frame).unwrap_or_else(|e| panic!("frames.tsv:{n}: {e}")),
            want: parse(want),
            now: now.map(parse),
        };
        assert!(
            case.now.as_ref() != Some(&case.want),
            "frames.tsv:{n}: a deviation must differ from the specification"
        );
        cases.push(case);
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        panic!("frames.tsv: case name {} used twice", w[0]);
    }
    cases
}

// ------------------------------------------------------------------------------------------
// The WebSocket layer
// ------------------------------------------------------------------------------------------

/// An unmasked, final server text frame carrying `payload` (RFC 6455 §5.2).
fn server_text_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x81];
    match payload.len() {
        n if n < 126 => f.push(n as u8),
        n if n <= 0xffff => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

/// A client with the handshake done, in the Open state.
fn open_client(max_message_size: usize, rng: &mut XorShift32) -> Client {
    let url = Url::parse("ws://127.0.0.1:9000/CP_1").expect("url");
    let mut config = ClientConfig::new(url);
    config.max_message_size = max_message_size;
    let mut c = Client::new(&config, rng);
    let request = String::from_utf8(c.outgoing().to_vec()).expect("request is text");
    let key = request
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("key");
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
        accept_key(key)
    );
    let n = c.outgoing().len();
    c.consume_outgoing(n);
    c.handle_bytes(response.as_bytes(), rng).expect("handshake");
    assert_eq!(c.poll_event(), Some(WsEvent::Opened));
    c
}

/// The status code of the close frame the client queued (masked, as client frames are).
fn sent_close_code(out: &[u8]) -> Option<u16> {
    // 0x88: FIN + close; the mask bit and a length of at least 2; the mask; the masked code.
    let &[0x88, len, m0, m1, _, _, c0, c1, ..] = out else {
        return None;
    };
    (len & 0x80 != 0 && len & 0x7f >= 2).then(|| u16::from_be_bytes([c0 ^ m0, c1 ^ m1]))
}

/// What the WebSocket client makes of `bytes` sent as one text message, fed in TCP-sized
/// pieces: the text, or the close code. Also returns the peak growth of memory meanwhile.
fn through_ws(bytes: &[u8]) -> (Result<String, u16>, isize) {
    let mut rng = XorShift32::new(0x5eed);
    let mut c = open_client(DEFAULT_MAX_MESSAGE_SIZE, &mut rng);
    let wire = server_text_frame(bytes);
    let base = start_peak();
    for chunk in wire.chunks(1460) {
        if c.handle_bytes(chunk, &mut rng).is_err() {
            break;
        }
    }
    let grew = peak() - base;
    let got = match c.poll_event() {
        Some(WsEvent::Text(t)) => Ok(t),
        Some(WsEvent::Closed { code, .. }) => {
            assert_eq!(sent_close_code(c.outgoing()), Some(code), "close frame sent");
            Err(code)
        }
        other => panic!("unexpected WebSocket event {other:?}"),
    };
    (got, grew)
}

// ------------------------------------------------------------------------------------------
// The charge point
// ------------------------------------------------------------------------------------------

/// Feeds `text` and gives the central system 10 ms to answer whatever the charge point sent
/// in response; returns the CALLRESULTs and CALLERRORs the charge point sent, and the peak
/// memory growth while the charge point alone read the frame and queued its answer.
fn cp_answers(s: &mut Sim, text: &str) -> (Vec<Value>, isize) {
    let before = s.sent.len();
    let base = start_peak();
    s.cp.handle_text(s.now, text);
    let grew = peak() - base;
    s.run_ms(10);
    let answers = s.sent[before..]
        .iter()
        .map(|t| serde_json::from_str::<Value>(t).expect("the charge point sent JSON"))
        .filter(|v| v[0] == 3 || v[0] == 4)
        .collect();
    (answers, grew)
}

/// One answer frame as an [`Answer`], checking the shape OCPP-J 1.6 §4.2 gives it.
fn as_answer(v: &Value) -> Answer {
    let a = v.as_array().expect("array");
    let id = a.get(1).and_then(Value::as_str).expect("string id").to_string();
    match a.first().and_then(Value::as_u64) {
        Some(3) => {
            assert_eq!(a.len(), 3, "{v}");
            assert!(a[2].is_object(), "{v}");
            Answer::Result {
                id,
                payload: Some(a[2].clone()),
            }
        }
        Some(4) => {
            assert_eq!(a.len(), 5, "{v}");
            assert!(a[3].is_string() && a[4].is_object(), "{v}");
            Answer::CallError {
                id,
                code: a[2].as_str().expect("code").to_string(),
            }
        }
        _ => panic!("not an answer: {v}"),
    }
}

fn reporting() -> bool {
    std::env::var_os("CORPUS_REPORT").is_some()
}

/// The 19 actions the central system may send (1.6 §5, and DataTransfer).
const CS_ACTIONS: [&str; 19] = [
    "CancelReservation",
    "ChangeAvailability",
    "ChangeConfiguration",
    "ClearCache",
    "ClearChargingProfile",
    "DataTransfer",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetLocalListVersion",
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ReserveNow",
    "Reset",
    "SendLocalList",
    "SetChargingProfile",
    "TriggerMessage",
    "UnlockConnector",
    "UpdateFirmware",
];

/// The corpus covers the CALLERROR table many times over, across all 19 actions.
fn check_coverage(cases: &[Case]) {
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cases {
        if let Answer::CallError { code, .. } = &c.want {
            *codes.entry(code.as_str()).or_default() += 1;
        }
    }
    for code in [
        "FormationViolation",
        "ProtocolError",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "NotImplemented",
        "NotSupported",
    ] {
        assert!(codes.get(code).copied().unwrap_or(0) >= 3, "{code}: {codes:?}");
    }
    // Actions without required fields cannot miss one; those without fields have no types.
    let no_required = [
        "ClearCache",
        "GetLocalListVersion",
        "ClearChargingProfile",
        "GetConfiguration",
    ];
    let no_fields = ["ClearCache", "GetLocalListVersion"];
    for action in CS_ACTIONS {
        let of: Vec<&Case> = cases
            .iter()
            .filter(|c| c.call().is_some_and(|(a, _)| a == action))
            .collect();
        let has = |code: &str| {
            of.iter()
                .any(|c| matches!(&c.want, Answer::CallError { code: k, .. } if k == code))
        };
        assert!(
            of.iter().any(|c| matches!(c.want, Answer::Result { .. })),
            "{action}: no valid case"
        );
        assert!(has("FormationViolation"), "{action}: no FormationViolation");
        if !no_required.contains(&action) {
            assert!(has("OccurenceConstraintViolation"), "{action}: no missing field");
        }
        if !no_fields.contains(&action) {
            assert!(has("TypeConstraintViolation"), "{action}: no wrong type");
            assert!(has("PropertyConstraintViolation"), "{action}: no bad value");
        }
    }
}

#[test]
fn every_corpus_frame_gets_its_answer_and_the_link_stays_up() {
    let cases = load();
    check_coverage(&cases);
    let mut s = Sim::new("corpus");
    assert_eq!(s.cp.registration(), Registration::Accepted);
    let mut failures = Vec::new();
    let mut peaks: Vec<(isize, usize, &str)> = Vec::new();
    for case in &cases {
        let where_ = format!("frames.tsv:{} {}", case.line, case.name);
        // The WebSocket layer first.
        let (ws, ws_grew) = through_ws(&case.frame);
        let text = match (ws, std::str::from_utf8(&case.frame)) {
            (Err(1007), Err(_)) => {
                if case.want != Answer::Close(1007) {
                    failures.push(format!(
                        "{where_}: invalid UTF-8 closes with 1007, the line says {}",
                        case.want
                    ));
                }
                continue;
            }
            (Err(1009), Ok(text)) if case.frame.len() > DEFAULT_MAX_MESSAGE_SIZE => {
                // RFC 6455 §7.4.1: 1009 from the header, nothing of the message buffered.
                if ws_grew >= 4096 {
                    failures.push(format!("{where_}: {ws_grew} bytes held for a refused message"));
                }
                text
            }
            (Ok(t), Ok(text)) if t == text && case.frame.len() <= DEFAULT_MAX_MESSAGE_SIZE => text,
            (got, _) => {
                failures.push(format!("{where_}: the WebSocket layer gave {got:?}"));
                continue;
            }
        };
        // Then the charge point, on the link every other line uses.
        let (answers, grew) = cp_answers(&mut s, text);
        peaks.push((grew, case.frame.len(), case.name.as_str()));
        let got = match answers.as_slice() {
            [] => Answer::Nothing,
            [one] => as_answer(one),
            many => {
                failures.push(format!("{where_}: {} answers: {many:?}", many.len()));
                continue;
            }
        };
        if case.now.is_some() && case.want.matches(&got) {
            failures.push(format!(
                "{where_}: now answers as specified ({got}): drop the ` ~ ` part"
            ));
        } else if !case.expected().matches(&got) {
            let note = match &case.now {
                Some(_) => format!(" (known deviation; the specification says {})", case.want),
                None => String::new(),
            };
            failures.push(format!("{where_}: expected {}{note}, got {got}", case.expected()));
        }
        if !s.cp.is_connected() || s.cp.registration() != Registration::Accepted {
            failures.push(format!("{where_}: the link did not stay up"));
        }
    }
    // Memory grows at most in proportion to the frame (the 1 MB test explains the factors); a
    // known deviation is held to its answer only (GetConfiguration beyond
    // GetConfigurationMaxKeys costs more).
    for (grew, len, name) in &peaks {
        let bound = 8 * *len as isize + 64 * 1024;
        let deviation = cases.iter().any(|c| c.name == *name && c.now.is_some());
        if *grew > bound && !deviation {
            failures.push(format!(
                "{name}: {grew} bytes at the peak for a {len}-byte frame (bound {bound})"
            ));
        }
    }
    if reporting() {
        report(&cases, &mut peaks);
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // After all of it, a normal exchange: a Heartbeat round trip and a remote start.
    let heartbeats = s.csms.count("Heartbeat");
    assert_eq!(
        s.call_ok("TriggerMessage", json!({"requestedMessage": "Heartbeat"})),
        json!({"status": "Accepted"})
    );
    s.run_ms(100);
    assert_eq!(s.csms.count("Heartbeat"), heartbeats + 1);
    assert_eq!(s.cp.pending_calls(), 0, "the Heartbeat was answered");
    let tx_before = s.csms.count("StartTransaction");
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"connectorId": 2, "idTag": "TAG"})),
        json!({"status": "Accepted"})
    );
    s.cp.plug(s.now, 2).expect("plug");
    s.run_secs(5);
    assert_eq!(s.csms.count("StartTransaction"), tx_before + 1);
    assert!(s.cp.has_transaction(2));
}

fn report(cases: &[Case], peaks: &mut [(isize, usize, &str)]) {
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_answer: BTreeMap<String, usize> = BTreeMap::new();
    for c in cases {
        *per_category.entry(c.category()).or_default() += 1;
        let kind = match &c.want {
            Answer::CallError { code, .. } => format!("CALLERROR {code}"),
            Answer::Result { .. } => "RESULT".to_string(),
            Answer::Nothing => "NONE".to_string(),
            Answer::Close(code) => format!("CLOSE {code}"),
        };
        *per_answer.entry(kind).or_default() += 1;
    }
    println!("{} cases", cases.len());
    println!("per category: {per_category:#?}");
    println!("per expected answer: {per_answer:#?}");
    println!("known deviations:");
    for c in cases.iter().filter(|c| c.now.is_some()) {
        println!("  {} (line {}): spec {} / now {}", c.name, c.line, c.want, c.expected());
    }
    peaks.sort_by_key(|p| std::cmp::Reverse(p.0));
    println!("largest peaks (bytes above the base, frame length):");
    for (grew, len, name) in peaks.iter().take(10) {
        println!("  {name}: {grew} for {len}");
    }
    println!("largest peaks for frames the WebSocket layer lets through (<= {DEFAULT_MAX_MESSAGE_SIZE} bytes):");
    for (grew, len, name) in peaks.iter().filter(|p| p.1 <= DEFAULT_MAX_MESSAGE_SIZE).take(8) {
        println!("  {name}: {grew} for {len}");
    }
}

// ------------------------------------------------------------------------------------------
// Duplicate message ids
// ------------------------------------------------------------------------------------------

/// Sends the same frame twice; returns both answers.
fn twice(s: &mut Sim, frame: &Value) -> (Value, Value) {
    let text = frame.to_string();
    let (mut one, _) = cp_answers(s, &text);
    let (mut two, _) = cp_answers(s, &text);
    assert_eq!((one.len(), two.len()), (1, 1), "{text}: {one:?} {two:?}");
    let (a, b) = (one.remove(0), two.remove(0));
    assert_eq!((&a[1], &b[1]), (&frame[1], &frame[1]), "both answers carry the id");
    (a, b)
}

#[test]
fn duplicate_message_ids_are_answered_each_time() {
    let mut s = Sim::new("corpus_duplicates");
    // OCPP-J 1.6 §4.1.3: ids must be unique; a central system that repeats one still gets
    // an answer each time, and the action's own rules decide what the repeat does.
    let (a, b) = twice(&mut s, &json!([2, "same", "ClearCache", {}]));
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Accepted"}))
    );

    let (a, b) = twice(
        &mut s,
        &json!([2, "same", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}]),
    );
    assert_eq!(
        (&a[2]["status"], &b[2]["status"]),
        (&json!("Accepted"), &json!("Accepted"))
    );
    let changed = s
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::ConfigurationChanged { key, .. } if key == "HeartbeatInterval"))
        .count();
    assert_eq!(changed, 2, "each accepted change is reported");

    // 1.6 §5.16: a profile with the same chargingProfileId replaces the installed one.
    let profile = json!([2, "same", "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": {
        "chargingProfileId": 7, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": {"chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}}}]);
    let (a, b) = twice(&mut s, &profile);
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Accepted"}))
    );
    assert_eq!(
        s.call_ok("ClearChargingProfile", json!({"id": 7})),
        json!({"status": "Accepted"})
    );
    assert_eq!(
        s.call_ok("ClearChargingProfile", json!({"id": 7})),
        json!({"status": "Unknown"}),
        "one profile was installed, not two"
    );

    // 1.6 §5.15: the same full list twice leaves the same list.
    let list = json!([2, "same", "SendLocalList", {"listVersion": 5, "updateType": "Full",
        "localAuthorizationList": [{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}]}]);
    let (a, b) = twice(&mut s, &list);
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Accepted"}))
    );
    assert_eq!(s.call_ok("GetLocalListVersion", json!({})), json!({"listVersion": 5}));

    // 1.6 §5.13: a ReserveNow with a known reservationId replaces that reservation.
    let reserve = json!([2, "same", "ReserveNow", {"connectorId": 1,
        "expiryDate": "2030-01-01T00:00:00Z", "idTag": "TAG", "reservationId": 3}]);
    let (a, b) = twice(&mut s, &reserve);
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Accepted"}))
    );
    let (a, b) = twice(&mut s, &json!([2, "same", "CancelReservation", {"reservationId": 3}]));
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Rejected"}))
    );

    // RemoteStart is not idempotent: the repeat finds the connector taken (1.6 §5.11).
    s.take_events();
    let start = json!([2, "same", "RemoteStartTransaction", {"connectorId": 1, "idTag": "TAG"}]);
    let (a, b) = twice(&mut s, &start);
    assert_eq!(
        (&a[2], &b[2]),
        (&json!({"status": "Accepted"}), &json!({"status": "Rejected"}))
    );
    let starts = s
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::RemoteStart { .. }))
        .count();
    assert_eq!(starts, 1);

    // A bad frame repeated is refused the same way each time.
    let (a, b) = twice(&mut s, &json!([2, "same", "Reset", {"type": "Later"}]));
    assert_eq!(
        (&a[2], &b[2]),
        (
            &json!("PropertyConstraintViolation"),
            &json!("PropertyConstraintViolation")
        )
    );
    assert!(s.cp.is_connected());
}

// ------------------------------------------------------------------------------------------
// Results for ids we never used
// ------------------------------------------------------------------------------------------

#[test]
fn results_for_unknown_ids_change_nothing() {
    let mut s = Sim::new("corpus_unknown_results");
    // Our Heartbeat stays in flight: the central system does not answer it.
    s.csms.on("Heartbeat", |_| common::Reply::Silence);
    s.call_ok("TriggerMessage", json!({"requestedMessage": "Heartbeat"}));
    s.run_ms(10);
    let ours = s.csms.last("Heartbeat").expect("Heartbeat sent").id.clone();
    assert_eq!(s.cp.pending_calls(), 1);
    s.take_events();
    let clock = s.cp.wall_clock(s.now);
    let timeout = s.cp.poll_timeout();
    let sent = s.sent.len();
    let heartbeat_answer = json!({"currentTime": "2031-05-05T05:05:05Z"});
    let strangers = [
        json!([3, "nobody", heartbeat_answer]).to_string(),
        json!([3, ours.to_uppercase() + "x", heartbeat_answer]).to_string(),
        json!([3, format!(" {ours}"), heartbeat_answer]).to_string(),
        json!([3, "", heartbeat_answer]).to_string(),
        json!([3, "-1", heartbeat_answer]).to_string(),
        json!([4, "nobody", "GenericError", "", {}]).to_string(),
        json!([4, "-1", "FormationViolation", "your frame", {}]).to_string(),
        format!("[3,{},{{}}]", serde_json::to_string(&"x".repeat(37)).expect("json")),
        "[3,null,{}]".to_string(),
        "[4,7,\"GenericError\",\"\",{}]".to_string(),
    ];
    for text in &strangers {
        s.cp.handle_text(s.now, text);
        assert_eq!(s.cp.poll_transmit(), None, "{text} was answered");
        assert!(s.cp.poll_event().is_none(), "{text} raised an event");
        assert_eq!(s.cp.pending_calls(), 1, "{text} completed our call");
        assert_eq!(s.cp.poll_timeout(), timeout, "{text} moved a timer");
        assert_eq!(s.cp.wall_clock(s.now), clock, "{text} set the clock");
    }
    assert_eq!(s.sent.len(), sent);
    // The real answer still completes our call and sets the clock.
    let answer = json!([3, ours, heartbeat_answer]).to_string();
    s.cp.handle_text(s.now, &answer);
    assert_eq!(s.cp.pending_calls(), 0);
    let expected = ocpp_cp::time::DateTime::parse("2031-05-05T05:05:05Z").expect("date");
    assert_eq!(s.cp.wall_clock(s.now), Some(expected));
    // The same answer again is a result for an id no longer in use: dropped.
    s.cp.handle_text(s.now, &answer);
    assert_eq!(s.cp.poll_transmit(), None);
    assert!(s.cp.is_connected());
}

// ------------------------------------------------------------------------------------------
// Floods and big frames: memory stays bounded
// ------------------------------------------------------------------------------------------

/// Valid and invalid CALLs (and stray results) that make the charge point send nothing but
/// its answer: `{i}` becomes a fresh message id.
const FLOOD: [(&str, Option<&str>); 24] = [
    (r#"[2,"{i}","ClearCache",{}]"#, Some("3")),
    (
        r#"[2,"{i}","GetConfiguration",{"key":["HeartbeatInterval","Nope"]}]"#,
        Some("3"),
    ),
    (r#"[2,"{i}","GetLocalListVersion",{}]"#, Some("3")),
    (
        r#"[2,"{i}","DataTransfer",{"vendorId":"org.example","messageId":"m","data":"{i}"}]"#,
        Some("3"),
    ),
    (
        r#"[2,"{i}","ChangeConfiguration",{"key":"Nope{i}","value":"1"}]"#,
        Some("3"),
    ),
    (r#"[2,"{i}","UnlockConnector",{"connectorId":0}]"#, Some("3")),
    (r#"[2,"{i}","RemoteStopTransaction",{"transactionId":42}]"#, Some("3")),
    (r#"[2,"{i}","CancelReservation",{"reservationId":9}]"#, Some("3")),
    (r#"[2,"{i}","ClearChargingProfile",{"id":99}]"#, Some("3")),
    (
        r#"[2,"{i}","GetCompositeSchedule",{"connectorId":99,"duration":60}]"#,
        Some("3"),
    ),
    (
        r#"[2,"{i}","ChangeAvailability",{"connectorId":99,"type":"Operative"}]"#,
        Some("3"),
    ),
    (r#"[2,"{i}","Reset",{"type":"Later"}]"#, Some("4")),
    (r#"[2,"{i}","Reset",{}]"#, Some("4")),
    (r#"[2,"{i}","UnlockConnector",{"connectorId":"1"}]"#, Some("4")),
    (r#"[2,"{i}","Reset",{"type":"Soft","delay":{i}}]"#, Some("4")),
    (r#"[2,"{i}","MakeCoffee{i}",{}]"#, Some("4")),
    (r#"[2,"{i}","BootNotification",{}]"#, Some("4")),
    (r#"[2,"{i}","ClearCache"]"#, Some("4")),
    (
        r#"[2,"{i}-0123456789012345678901234567890123456789","ClearCache",{}]"#,
        Some("4"),
    ),
    (r#"[9,"{i}","ClearCache",{}]"#, Some("4")),
    (r#"[2,"{i}","ClearCache",{}"#, Some("4")),
    (r#"[3,"{i}",{"status":"Accepted"}]"#, None),
    (r#"[4,"{i}","GenericError","",{}]"#, None),
    (
        r#"[2,"{i}","DataTransfer",{"vendorId":"org.example","data":[[[[[[[[{i}]]]]]]]]}]"#,
        Some("4"),
    ),
];

/// Feeds `n` flood frames straight to the charge point, checking each answer, and drops
/// every answer and event at once, as a host that sends them on would.
fn flood(s: &mut Sim, from: usize, n: usize) {
    for i in from..from + n {
        let (template, answer) = FLOOD[i % FLOOD.len()];
        let text = template.replace("{i}", &format!("f{i}"));
        s.cp.handle_text(s.now, &text);
        let out: Vec<String> = std::iter::from_fn(|| s.cp.poll_transmit().map(String::from)).collect();
        match answer {
            Some(kind) => {
                assert_eq!(out.len(), 1, "{text}: {out:?}");
                assert!(out[0].starts_with(&format!("[{kind},")), "{text}: {out:?}");
            }
            None => assert!(out.is_empty(), "{text}: {out:?}"),
        }
        while s.cp.poll_event().is_some() {}
    }
}

#[test]
fn a_flood_of_10000_calls_leaves_memory_where_it_was() {
    let mut s = Sim::new("corpus_flood");
    s.events = Vec::new();
    // Warm-up: capacities that grow once (queues, the vendor's buffers) reach their size.
    flood(&mut s, 0, 1000);
    let base = start_peak();
    flood(&mut s, 1000, 10_000);
    let after = live();
    let grew = peak() - base;
    if reporting() {
        println!("flood: {base} bytes before, {after} after, peak +{grew}");
    }
    // Nothing is kept per frame: what is live afterwards is what was live before (within
    // 1 KiB for buffers whose capacity follows the longest frame), and the peak is about one
    // frame's worth of work.
    assert!(
        (after - base).abs() <= 1024,
        "{} bytes left behind by 10,000 frames",
        after - base
    );
    assert!(grew <= 64 * 1024, "peak {grew} bytes above the base during the flood");
    // The link still works.
    assert_eq!(s.call_ok("ClearCache", json!({})), json!({"status": "Accepted"}));
    assert!(s.cp.is_connected());
}

#[test]
fn one_megabyte_frames_are_answered_with_bounded_memory() {
    const MB: usize = 1 << 20;
    let mut s = Sim::new("corpus_big");
    let a = "a".repeat(MB);
    // (frame, answer type, peak allowed in frame lengths). Reading a frame costs at most about
    // one more copy of it (the 1 MB string of a DataTransfer); errors quote no value, only the
    // field's name. One kind costs more: an answer that must echo the sender's text (an
    // over-long id) holds the id read, and the answer as long as the frame, about 3 frames at
    // the peak. GetConfiguration: more keys than GetConfigurationMaxKeys are refused while
    // reading.
    let echo = 4;
    let frames = [
        (
            format!(r#"[2,"b1","DataTransfer",{{"vendorId":"org.example","data":"{a}"}}]"#),
            "[3,",
            2,
        ),
        (
            format!(r#"[2,"b2","RemoteStartTransaction",{{"idTag":"{a}"}}]"#),
            "[4,",
            2,
        ),
        (format!(r#"[2,"b3","Reset",{{"type":"Soft","x":"{a}"}}]"#), "[4,", 2),
        (format!(r#"[2,"b4","ClearCache",{{}}{}]"#, " ".repeat(MB)), "[3,", 2),
        (format!("[2,\"b5\",\"DataTransfer\",{}]", "[".repeat(MB)), "[4,", 2),
        (format!(r#"[2,"{a}","ClearCache",{{}}]"#), "[4,", echo),
        (format!(r#"[2,"b6","Reset",{{"type":"{a}"}}]"#), "[4,", 2),
        (
            format!(r#"[2,"b7","UpdateFirmware",{{"location":"x","retrieveDate":"{a}"}}]"#),
            "[4,",
            2,
        ),
        (format!(r#"[2,"b8","ClearCache",{{"{a}":1}}]"#), "[4,", 2),
        (
            format!(
                r#"[2,"b9","GetConfiguration",{{"key":[{}"x"]}}]"#,
                r#""y","#.repeat(MB / 4)
            ),
            "[4,",
            2,
        ),
    ];
    for (text, kind, factor) in &frames {
        let base = start_peak();
        s.cp.handle_text(s.now, text);
        let out: Vec<String> = std::iter::from_fn(|| s.cp.poll_transmit().map(String::from)).collect();
        while s.cp.poll_event().is_some() {}
        let answer_len = out.iter().map(String::len).sum::<usize>();
        let head = &text[..40];
        assert_eq!(out.len(), 1, "{head}");
        assert!(out[0].starts_with(kind), "{head}: {}", &out[0][..out[0].len().min(80)]);
        drop(out);
        let grew = peak() - base;
        let left = live() - base;
        if reporting() {
            println!("{head}...: peak +{grew} bytes, answer {answer_len} bytes, {left} left");
        }
        // A bounded number of copies of the frame at once, nothing kept once it is answered.
        assert!(grew <= factor * text.len() as isize, "{head}: peak +{grew}");
        assert!(left <= 1024, "{head}: {left} bytes kept");
    }
    assert_eq!(s.call_ok("ClearCache", json!({})), json!({"status": "Accepted"}));
}

#[test]
fn the_websocket_layer_refuses_oversize_without_allocating_it() {
    let mut rng = XorShift32::new(3);
    // Headers announcing 1 GiB, 2^63 - 1 bytes, and 16 KiB + 1 in a 16-bit length.
    let headers: [&[u8]; 3] = [
        &[0x81, 127, 0, 0, 0, 0, 0x40, 0, 0, 0],
        &[0x81, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x81, 126, 0x40, 0x01],
    ];
    for header in headers {
        let mut c = open_client(DEFAULT_MAX_MESSAGE_SIZE, &mut rng);
        let base = start_peak();
        assert!(c.handle_bytes(header, &mut rng).is_err());
        // What follows the refused header is not read either.
        c.handle_bytes(&[b'a'; 4096], &mut rng).expect("closed: ignored");
        let grew = peak() - base;
        assert!(grew < 512, "{grew} bytes for a refused header {header:?}");
        assert_eq!(sent_close_code(c.outgoing()), Some(1009));
        assert!(matches!(c.poll_event(), Some(WsEvent::Closed { code: 1009, .. })));
    }
    // Fragments that add up to one byte more than allowed: refused at the last header.
    let mut c = open_client(DEFAULT_MAX_MESSAGE_SIZE, &mut rng);
    let half = DEFAULT_MAX_MESSAGE_SIZE / 2;
    let mut wire = vec![0x01, 126];
    wire.extend_from_slice(&(half as u16).to_be_bytes());
    wire.extend(std::iter::repeat_n(b'a', half));
    wire.extend_from_slice(&[0x80, 126]);
    wire.extend_from_slice(&((half + 1) as u16).to_be_bytes());
    let base = start_peak();
    assert!(c.handle_bytes(&wire, &mut rng).is_err());
    assert!(peak() - base <= 2 * half as isize, "only the first fragment was held");
    assert_eq!(sent_close_code(c.outgoing()), Some(1009));
    // Invalid UTF-8 split across fragments is found once the message is complete.
    let mut c = open_client(DEFAULT_MAX_MESSAGE_SIZE, &mut rng);
    c.handle_bytes(&[0x01, 0x02, b'[', 0xe2], &mut rng)
        .expect("first fragment");
    assert!(c.handle_bytes(&[0x80, 0x02, 0x82, b'x'], &mut rng).is_err());
    assert_eq!(sent_close_code(c.outgoing()), Some(1007));
}
