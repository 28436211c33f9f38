//! A bare-metal image that uses the whole charge point API, so the linker keeps exactly
//! what a firmware would. Entry `probe` takes its inputs from the caller, so nothing is
//! constant-folded away. Measured by tools/size.sh; never shipped.
#![no_std]
#![no_main]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

use ocpp_cp::cp::{ChargePoint, Config, Event};
use ocpp_cp::messages::{ChargePointErrorCode, Measurand, Reason};
use ocpp_cp::time::Instant;

/// A bump allocator over a static arena: the firmware's malloc stands here.
struct Arena(UnsafeCell<([u8; 65536], usize)>);
unsafe impl Sync for Arena {}
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let (buf, next) = &mut *self.0.get();
        let start = (*next + l.align() - 1) & !(l.align() - 1);
        if start + l.size() > buf.len() {
            return core::ptr::null_mut();
        }
        *next = start + l.size();
        buf.as_mut_ptr().add(start)
    }
    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}
#[global_allocator]
static ALLOC: Arena = Arena(UnsafeCell::new(([0; 65536], 0)));

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// # Safety
/// `text` must point to `len` bytes of UTF-8.
#[no_mangle]
pub unsafe extern "C" fn probe(now: u64, text: *const u8, len: usize, op: u32) -> u32 {
    let text = core::str::from_utf8_unchecked(core::slice::from_raw_parts(text, len));
    let Ok(mut cp) = ChargePoint::new(Config { connectors: op & 3, ..Config::default() }) else { return 0 };
    let t = Instant::from_millis(now);
    cp.handle_connected(t);
    cp.handle_text(t, text);
    let _ = cp.plug(t, op);
    let _ = cp.present_id_tag(t, text);
    let _ = cp.set_meter(t, op, Measurand::ALL[(op % 22) as usize], None, now as f64);
    let _ = cp.set_fault(t, op, ChargePointErrorCode::ALL[(op % 16) as usize], Some(text));
    let _ = cp.set_ev_suspended(t, op, op > 4);
    let _ = cp.end_transaction(t, op, Reason::ALL[(op % 11) as usize], Some(text));
    let _ = cp.send_data_transfer(t, text, Some(text), Some(text));
    cp.set_configuration(t, text, text);
    let _ = cp.unplug(t, op);
    cp.handle_timeout(t);
    cp.handle_disconnected(t);
    let mut n = 0u32;
    while let Some(f) = cp.poll_transmit() {
        n += f.len() as u32;
    }
    while let Some(e) = cp.poll_event() {
        n += matches!(e, Event::Reset { .. }) as u32;
    }
    n + cp.poll_timeout().map_or(0, |t| t.as_millis() as u32)
}
