//! The standard workload with heap accounting: a counting allocator wraps the system's and
//! counts only what the charge point allocates (inside its calls), and frees of those blocks
//! wherever they happen. Prints traffic and heap per phase and allocations per MeterValues
//! cycle; exits non-zero when a volume check fails. See docs/performance.md.
//!
//! `cargo run --release --example workload`

mod driver;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use driver::{Phase, Probe, Workload};

/// Set while the charge point's code runs: only then are allocations counted.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Requested bytes of the counted blocks alive now.
static CURRENT: AtomicU64 = AtomicU64::new(0);
/// Highest `CURRENT` since the last reset.
static PEAK: AtomicU64 = AtomicU64::new(0);
/// Counted `alloc` + `realloc` calls.
static ALLOCS: AtomicU64 = AtomicU64::new(0);
/// Bytes those calls requested.
static REQUESTED: AtomicU64 = AtomicU64::new(0);

/// Every block carries a header in front: (requested size, counted?). A block the charge
/// point allocated is subtracted when freed, also when the harness frees it (a sent frame).
const HEADER: usize = 16;

struct CountingAlloc;

fn outer(l: Layout) -> Option<(Layout, usize)> {
    let pad = l.align().max(HEADER);
    let layout = Layout::from_size_align(l.size().checked_add(pad)?, l.align().max(HEADER)).ok()?;
    Some((layout, pad))
}

fn count_in(size: usize) {
    let cur = CURRENT.fetch_add(size as u64, Relaxed) + size as u64;
    PEAK.fetch_max(cur, Relaxed);
}

// SAFETY (all below): every block handed out is `pad` bytes into a System block of the
// `outer` layout, with the header in the 16 bytes before it (pad >= 16, user pointer aligned
// to >= 16, so the two usizes are aligned).
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let Some((o, pad)) = outer(l) else {
            return std::ptr::null_mut();
        };
        let base = unsafe { System.alloc(o) };
        if base.is_null() {
            return base;
        }
        let user = unsafe { base.add(pad) };
        let counted = COUNTING.load(Relaxed);
        unsafe {
            let h = user.sub(HEADER).cast::<usize>();
            h.write(l.size());
            h.add(1).write(usize::from(counted));
        }
        if counted {
            ALLOCS.fetch_add(1, Relaxed);
            REQUESTED.fetch_add(l.size() as u64, Relaxed);
            count_in(l.size());
        }
        user
    }

    unsafe fn dealloc(&self, ptr: *mut u8, l: Layout) {
        let Some((o, pad)) = outer(l) else { return };
        unsafe {
            let h = ptr.sub(HEADER).cast::<usize>();
            if h.add(1).read() != 0 {
                CURRENT.fetch_sub(h.read() as u64, Relaxed);
            }
            System.dealloc(ptr.sub(pad), o);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let Some((o, pad)) = outer(l) else {
            return std::ptr::null_mut();
        };
        let (old_size, was_counted) = unsafe {
            let h = ptr.sub(HEADER).cast::<usize>();
            (h.read(), h.add(1).read() != 0)
        };
        let Some(new_outer) = new_size.checked_add(pad) else {
            return std::ptr::null_mut();
        };
        let base = unsafe { System.realloc(ptr.sub(pad), o, new_outer) };
        if base.is_null() {
            return base;
        }
        let user = unsafe { base.add(pad) };
        let counting = COUNTING.load(Relaxed);
        let counted = was_counted || counting;
        unsafe {
            let h = user.sub(HEADER).cast::<usize>();
            h.write(new_size);
            h.add(1).write(usize::from(counted));
        }
        if was_counted {
            CURRENT.fetch_sub(old_size as u64, Relaxed);
        }
        if counted {
            count_in(new_size);
        }
        if counting {
            ALLOCS.fetch_add(1, Relaxed);
            REQUESTED.fetch_add(new_size as u64, Relaxed);
        }
        user
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Turns counting on around the charge point's code and records allocations per meter cycle.
struct HeapProbe {
    cycle_start: u64,
    per_cycle: Vec<u64>,
}

impl Probe for HeapProbe {
    fn enter(&mut self) {
        COUNTING.store(true, Relaxed);
    }
    fn exit(&mut self) {
        COUNTING.store(false, Relaxed);
    }
    fn cycle_end(&mut self) {
        let now = ALLOCS.load(Relaxed);
        self.per_cycle.push(now - self.cycle_start);
        self.cycle_start = now;
    }
}

/// Heap figures of one phase.
struct PhaseHeap {
    allocs: u64,
    requested: u64,
    peak: u64,
    end: u64,
}

fn main() -> ExitCode {
    let probe = HeapProbe {
        cycle_start: 0,
        per_cycle: Vec::with_capacity(driver::METER_CYCLES as usize),
    };
    let mut w = Workload::new(probe, false);
    let mut heap = Vec::with_capacity(Phase::ALL.len());
    for p in Phase::ALL {
        let (a0, r0) = (ALLOCS.load(Relaxed), REQUESTED.load(Relaxed));
        PEAK.store(CURRENT.load(Relaxed), Relaxed);
        w.probe.cycle_start = a0;
        if let Err(e) = w.run_phase(p) {
            eprintln!("workload failed in phase {}: {e}", p.name());
            return ExitCode::FAILURE;
        }
        heap.push(PhaseHeap {
            allocs: ALLOCS.load(Relaxed) - a0,
            requested: REQUESTED.load(Relaxed) - r0,
            peak: PEAK.load(Relaxed),
            end: CURRENT.load(Relaxed),
        });
    }
    let verdict = w.check();

    let bits = usize::BITS;
    println!(
        "ocpp-cp standard workload: heap ({}-bit, {})",
        bits,
        std::env::consts::ARCH
    );
    println!();
    println!("| phase | loops | frames out | bytes out | frames in | bytes in | allocations | bytes allocated | heap peak | heap at end |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (p, h) in Phase::ALL.iter().zip(&heap) {
        let t = w.traffic_of(*p);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            p.name(),
            t.loops,
            t.sent_frames,
            t.sent_bytes,
            t.recv_frames,
            t.recv_bytes,
            h.allocs,
            h.requested,
            h.peak,
            h.end
        );
    }
    let t = w.total();
    let allocs: u64 = heap.iter().map(|h| h.allocs).sum();
    let requested: u64 = heap.iter().map(|h| h.requested).sum();
    let peak = heap.iter().map(|h| h.peak).max().unwrap_or(0);
    println!(
        "| **total** | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        t.loops,
        t.sent_frames,
        t.sent_bytes,
        t.recv_frames,
        t.recv_bytes,
        allocs,
        requested,
        peak,
        heap.last().map_or(0, |h| h.end)
    );
    println!();
    let mut cycles = w.probe.per_cycle.clone();
    cycles.sort_unstable();
    let n = cycles.len().max(1) as u64;
    let mean = cycles.iter().sum::<u64>() as f64 / n as f64;
    let pick = |q: usize| cycles.get(q).copied().unwrap_or(0);
    println!(
        "allocations per MeterValues cycle: mean {:.2}, min {}, median {}, max {} (over {} cycles)",
        mean,
        pick(0),
        pick(cycles.len() / 2),
        pick(cycles.len().saturating_sub(1)),
        cycles.len()
    );
    let cp_calls: u64 = w.volumes.calls.iter().map(|(_, n)| n).sum();
    let longer = (36 * cp_calls).saturating_sub(w.volumes.cp_call_id_bytes);
    println!(
        "traffic: {} frames / {} B out, {} frames / {} B in; with 36-character message ids on the charge point's {} CALLs (as MicroOcpp's UUIDs): {} B out, {} B in",
        t.sent_frames,
        t.sent_bytes,
        t.recv_frames,
        t.recv_bytes,
        cp_calls,
        t.sent_bytes + longer,
        t.recv_bytes + longer
    );
    let boot_end = heap.get(1).map_or(0, |h| h.end);
    println!("heap peak {peak} B, heap idle after boot {boot_end} B (requested bytes)");
    println!(
        "volumes: {:?}, ChangeConfiguration Accepted {}, GetConfiguration results {}, CALLERRORs {}, events {}",
        w.volumes.calls, w.volumes.cc_accepted, w.volumes.gc_results, w.volumes.call_errors, w.volumes.events
    );
    match verdict {
        Ok(()) => {
            println!("volume checks: passed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("volume checks: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
