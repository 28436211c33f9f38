//! Runs one input through one target on stable Rust, without libFuzzer:
//! `cargo run --manifest-path fuzz/Cargo.toml --example replay -- <target> <file>...`
//! (with `OCPP_FUZZ_TRACE=1`, `charge_point` prints the whole exchange).

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_default();
    let Some((_, body)) = ocpp_cp_fuzz::TARGETS.iter().find(|(name, _)| *name == target) else {
        let names: Vec<&str> = ocpp_cp_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: replay <target> <file>...   (targets: {})", names.join(", "));
        std::process::exit(2);
    };
    let mut failed = false;
    for file in args {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let ok = std::panic::catch_unwind(|| body(&data)).is_ok();
        println!("{}: {file}", if ok { "ok  " } else { "FAIL" });
        failed |= !ok;
    }
    std::process::exit(i32::from(failed));
}
