//! The standard workload on the system allocator, for instruction counts and timings:
//! `tools/bench.sh` runs it under `valgrind --tool=callgrind` (see docs/performance.md).
//! Without arguments it runs the workload once and prints wall time per phase; with
//! `--repeat N` it runs it N times and prints the fastest time of each phase.

#[path = "workload/driver.rs"]
mod driver;

use std::process::ExitCode;
use std::time::Duration;

use driver::{NoProbe, Phase, Workload};

fn run_once(times: &mut [Duration]) -> Result<Workload<NoProbe>, String> {
    let mut w = Workload::new(NoProbe, false);
    for (p, best) in Phase::ALL.iter().zip(times.iter_mut()) {
        let t0 = std::time::Instant::now();
        w.run_phase(*p).map_err(|e| format!("phase {}: {e}", p.name()))?;
        *best = (*best).min(t0.elapsed());
    }
    w.check()?;
    Ok(w)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut repeat = 1u32;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().and_then(|n| n.parse().ok())) {
            ("--repeat", Some(n)) if n > 0 => repeat = n,
            _ => {
                eprintln!("usage: workload_cpu [--repeat N]");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut times = [Duration::MAX; 9];
    let mut last = None;
    for _ in 0..repeat {
        match run_once(&mut times) {
            Ok(w) => last = Some(w),
            Err(e) => {
                eprintln!("workload failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let Some(w) = last else {
        return ExitCode::FAILURE;
    };
    let t = w.total();
    println!(
        "volume checks: passed ({} loop steps, {} frames / {} B out, {} frames / {} B in)",
        t.loops, t.sent_frames, t.sent_bytes, t.recv_frames, t.recv_bytes
    );
    let total: Duration = times.iter().sum();
    println!("wall time, best of {repeat}: total {:.3} ms", total.as_secs_f64() * 1e3);
    for (p, d) in Phase::ALL.iter().zip(times) {
        println!("  {:8} {:10.1} us", p.name(), d.as_secs_f64() * 1e6);
    }
    ExitCode::SUCCESS
}
