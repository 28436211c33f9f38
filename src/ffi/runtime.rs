//! What a C firmware provides to the library: the logger it registered, and on bare metal
//! its `malloc`/`free` as the heap and its `abort` as the end of a panic.

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_void};
use core::fmt::{self, Write};

use crate::log::Level;

/// Receives one log line: `user` as given to `ocpp_cp_set_logger`, the level (1 error,
/// 2 warn, 3 info, 4 debug) and the line, NUL-terminated, valid during the call.
pub type ocpp_cp_log_fn = Option<unsafe extern "C" fn(user: *mut c_void, level: u8, line: *const c_char)>;

struct Sink {
    f: ocpp_cp_log_fn,
    user: *mut c_void,
}

/// The process-wide logger. Written only by `ocpp_cp_set_logger`, which the header says to
/// call before any handle exists and from one thread; read when a handle logs.
struct Global(UnsafeCell<Sink>);

// SAFETY: see `Global`: no write happens while another thread may read.
unsafe impl Sync for Global {}

static LOGGER: Global = Global(UnsafeCell::new(Sink {
    f: None,
    user: core::ptr::null_mut(),
}));

/// Sets the logger (`f` NULL: no logging).
pub(super) fn set_logger(f: ocpp_cp_log_fn, user: *mut c_void) {
    // SAFETY: the caller follows the header's rule (before any handle, one thread).
    unsafe {
        *LOGGER.0.get() = Sink { f, user };
    }
}

/// Longest log line handed to C; longer ones are cut (and end with "...").
const LINE_MAX: usize = 200;

struct Line {
    buf: [u8; LINE_MAX + 4],
    len: usize,
    cut: bool,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            // A NUL inside the text would end the C string early.
            let b = if b == 0 { b'?' } else { b };
            if self.len >= LINE_MAX {
                self.cut = true;
                return Ok(());
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// The charge point's `LogFn`: formats into a stack buffer and calls the C logger.
pub(super) fn log_line(level: Level, args: fmt::Arguments<'_>) {
    // SAFETY: see `Global`.
    let (f, user) = unsafe {
        let s = &*LOGGER.0.get();
        (s.f, s.user)
    };
    let Some(f) = f else { return };
    let mut line = Line {
        buf: [0; LINE_MAX + 4],
        len: 0,
        cut: false,
    };
    let _ = line.write_fmt(args);
    let mut end = line.len;
    if line.cut {
        for &b in b"..." {
            if let Some(slot) = line.buf.get_mut(end) {
                *slot = b;
                end += 1;
            }
        }
    }
    if let Some(slot) = line.buf.get_mut(end) {
        *slot = 0;
    }
    // SAFETY: the buffer is NUL-terminated and outlives the call.
    unsafe { f(user, level as u8, line.buf.as_ptr().cast()) };
}

/// Bare metal: the heap is the firmware's `malloc`/`free`, a panic ends in its `abort`.
#[cfg(not(feature = "std"))]
mod bare_metal {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::c_void;

    /// cbindgen:ignore
    #[allow(unused_doc_comments)]
    extern "C" {
        fn malloc(size: usize) -> *mut c_void;
        fn free(ptr: *mut c_void);
        fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
        fn abort() -> !;
    }

    /// newlib's, picolibc's and ESP-IDF's malloc align to 8 bytes; nothing in this crate
    /// asks for more, and anything that does gets NULL (an allocation failure), never a
    /// misaligned block.
    const MALLOC_ALIGN: usize = 8;

    struct Malloc;

    // SAFETY: forwards to the C allocator, which the firmware uses everywhere; alignments
    // above what malloc guarantees are refused.
    unsafe impl GlobalAlloc for Malloc {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            if l.align() > MALLOC_ALIGN {
                return core::ptr::null_mut();
            }
            // SAFETY: plain malloc of a non-zero size (GlobalAlloc never asks for 0).
            unsafe { malloc(l.size()).cast() }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
            // SAFETY: `ptr` came from malloc/realloc above.
            unsafe { free(ptr.cast()) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
            if l.align() > MALLOC_ALIGN {
                return core::ptr::null_mut();
            }
            // SAFETY: `ptr` came from malloc/realloc above.
            unsafe { realloc(ptr.cast(), new_size).cast() }
        }
    }

    #[global_allocator]
    static GLOBAL: Malloc = Malloc;

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        // SAFETY: the firmware's abort never returns.
        unsafe { abort() }
    }
}
