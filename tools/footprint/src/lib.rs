//! A C face for the charge point, just wide enough for a firmware's usual calls, so that
//! `main.c` can link it like a firmware would (there is no C ABI yet: issue [5]). Memory
//! comes from the firmware's `malloc`/`free`; a panic calls the firmware's `abort`.
//! Measurement only (tools/footprint/footprint.sh); never shipped.
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use ocpp_cp::cp::{ChargePoint, Config, Event};
use ocpp_cp::messages::{Measurand, Reason};
use ocpp_cp::time::Instant;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn memalign(align: usize, size: usize) -> *mut c_void;
    fn abort() -> !;
}

/// newlib's and picolibc's malloc align to 8 bytes.
const MALLOC_ALIGN: usize = 8;

struct Malloc;

// SAFETY: forwards to the C allocator, which is what the firmware uses everywhere.
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if l.align() <= MALLOC_ALIGN {
            unsafe { malloc(l.size()).cast() }
        } else {
            unsafe { memalign(l.align(), l.size()).cast() }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        unsafe { free(ptr.cast()) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        if l.align() <= MALLOC_ALIGN {
            unsafe { realloc(ptr.cast(), new_size).cast() }
        } else {
            let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, l.align())) };
            if !new.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, l.size().min(new_size));
                    self.dealloc(ptr, l);
                }
            }
            new
        }
    }
}

#[global_allocator]
static GLOBAL: Malloc = Malloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { abort() }
}

/// An opaque charge point for C.
pub struct Cp(ChargePoint);

fn cp<'a>(p: *mut Cp) -> Option<&'a mut ChargePoint> {
    // SAFETY: C passes a pointer from `ocpp_fp_new` (or NULL).
    unsafe { p.as_mut() }.map(|c| &mut c.0)
}

fn text<'a>(p: *const u8, len: usize) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: C passes `len` readable bytes.
    core::str::from_utf8(unsafe { core::slice::from_raw_parts(p, len) }).ok()
}

/// A charge point with `connectors` connectors and identity `id` (NULL on bad input).
///
/// # Safety
/// `id` points to `id_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_new(id: *const u8, id_len: usize, connectors: u32) -> *mut Cp {
    let Some(id) = text(id, id_len) else {
        return core::ptr::null_mut();
    };
    match ChargePoint::new(Config {
        charge_point_id: id.into(),
        connectors,
        ..Config::default()
    }) {
        Ok(c) => Box::into_raw(Box::new(Cp(c))),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a charge point.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_free(p: *mut Cp) {
    if !p.is_null() {
        // SAFETY: `p` came from `ocpp_fp_new` and is not used again.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// The WebSocket opened (`up` != 0) or closed.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_link(p: *mut Cp, now_ms: u64, up: i32) {
    if let Some(c) = cp(p) {
        let now = Instant::from_millis(now_ms);
        if up != 0 {
            c.handle_connected(now)
        } else {
            c.handle_disconnected(now)
        }
    }
}

/// A text frame arrived.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_feed(p: *mut Cp, now_ms: u64, frame: *const u8, len: usize) {
    if let (Some(c), Some(t)) = (cp(p), text(frame, len)) {
        c.handle_text(Instant::from_millis(now_ms), t)
    }
}

/// The loop step: runs what is due; returns the next wake-up (u64::MAX: none).
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_loop(p: *mut Cp, now_ms: u64) -> u64 {
    let Some(c) = cp(p) else { return u64::MAX };
    let now = Instant::from_millis(now_ms);
    if c.poll_timeout().is_some_and(|t| t <= now) {
        c.handle_timeout(now);
    }
    c.poll_timeout().map_or(u64::MAX, Instant::as_millis)
}

/// Copies the next frame to send into `buf` (at most `cap` bytes); returns its length,
/// 0 when none waits, or the length needed (> cap) when `buf` is too small (frame dropped).
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_take(p: *mut Cp, buf: *mut u8, cap: usize) -> usize {
    let Some(f) = cp(p).and_then(|c| c.poll_transmit()) else {
        return 0;
    };
    if f.len() <= cap && !buf.is_null() {
        // SAFETY: C passes `cap` writable bytes.
        unsafe { core::ptr::copy_nonoverlapping(f.as_ptr(), buf, f.len()) };
    }
    f.len()
}

/// The next event as a small number (0: none; 1: energy on; 2: energy off; 3: other).
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_event(p: *mut Cp) -> i32 {
    match cp(p).and_then(|c| c.poll_event()) {
        None => 0,
        Some(Event::EnergyOffered { on: true, .. }) => 1,
        Some(Event::EnergyOffered { on: false, .. }) => 2,
        Some(_) => 3,
    }
}

/// Cable plugged (`plugged` != 0) or unplugged; returns 0 on success.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_plug(p: *mut Cp, now_ms: u64, connector: u32, plugged: i32) -> i32 {
    let Some(c) = cp(p) else { return -1 };
    let now = Instant::from_millis(now_ms);
    let r = if plugged != 0 {
        c.plug(now, connector)
    } else {
        c.unplug(now, connector)
    };
    r.map_or(-1, |()| 0)
}

/// Starts a transaction for `tag` (Authorize first); returns 0 on success.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_begin(p: *mut Cp, now_ms: u64, connector: u32, tag: *const u8, len: usize) -> i32 {
    match (cp(p), text(tag, len)) {
        (Some(c), Some(t)) => c
            .begin_transaction(Instant::from_millis(now_ms), connector, t)
            .map_or(-1, |()| 0),
        _ => -1,
    }
}

/// Ends the transaction locally; returns 0 on success.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_end(p: *mut Cp, now_ms: u64, connector: u32) -> i32 {
    let Some(c) = cp(p) else { return -1 };
    c.end_transaction(Instant::from_millis(now_ms), connector, Reason::Local, None)
        .map_or(-1, |()| 0)
}

/// An RFID card was presented; returns 0 on success.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_tag(p: *mut Cp, now_ms: u64, tag: *const u8, len: usize) -> i32 {
    match (cp(p), text(tag, len)) {
        (Some(c), Some(t)) => c.present_id_tag(Instant::from_millis(now_ms), t).map_or(-1, |()| 0),
        _ => -1,
    }
}

/// A meter reading: `measurand` 0 = energy (Wh), 1 = power (W), 2 = current (A),
/// 3 = voltage (V); returns 0 on success.
///
/// # Safety
/// `p` is NULL or from `ocpp_fp_new` and not freed; pointer + length arguments name readable
/// (for `buf`: writable) memory of that length.
#[no_mangle]
pub unsafe extern "C" fn ocpp_fp_meter(p: *mut Cp, now_ms: u64, connector: u32, measurand: u32, value: f64) -> i32 {
    let m = match measurand {
        0 => Measurand::EnergyActiveImportRegister,
        1 => Measurand::PowerActiveImport,
        2 => Measurand::CurrentImport,
        3 => Measurand::Voltage,
        _ => return -1,
    };
    let Some(c) = cp(p) else { return -1 };
    c.set_meter(Instant::from_millis(now_ms), connector, m, None, value)
        .map_or(-1, |()| 0)
}
