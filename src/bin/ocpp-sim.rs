//! `ocpp-sim`: a simulated charger and EV, driven over stdin, reporting JSON Lines on stdout.

use ocpp_cp::sim::{Options, Simulator};

fn main() {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match Simulator::new(opts) {
        Ok(sim) => sim.run(),
        Err(e) => {
            eprintln!("ocpp-sim: {e}");
            std::process::exit(1);
        }
    }
}
