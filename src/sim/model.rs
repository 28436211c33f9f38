//! The physical side of the simulator: a charger and an EV per connector.

use std::collections::HashMap;

use crate::messages::Measurand;

/// Mains voltage of the model, per phase.
pub const VOLTAGE: f64 = 230.0;
/// Battery of the model EV, Wh.
const BATTERY_WH: f64 = 60_000.0;

/// One connector's charger and EV.
#[derive(Clone, Debug)]
pub struct Outlet {
    /// Cable in.
    pub plugged: bool,
    /// The EV paused.
    pub suspended: bool,
    /// The charge point offers energy.
    pub energy_on: bool,
    /// Energy register, Wh (survives power cuts through the state directory).
    pub energy_wh: f64,
    /// The EV's state of charge, percent.
    pub soc: f64,
    /// Limit from smart charging, W (`None` = the charger's maximum).
    pub limit_w: Option<f64>,
    /// Values set with `set C MEASURAND VALUE`, used instead of the model's.
    pub overrides: HashMap<&'static str, f64>,
}

impl Outlet {
    /// A connector with nothing plugged in.
    pub fn new(energy_wh: f64) -> Self {
        Outlet {
            plugged: false,
            suspended: false,
            energy_on: false,
            energy_wh,
            soc: 20.0,
            limit_w: None,
            overrides: HashMap::new(),
        }
    }

    /// The power drawn now, W: the charger's maximum or the limit, while the EV takes it.
    pub fn power_w(&self, max_w: f64) -> f64 {
        if self.plugged && self.energy_on && !self.suspended && self.soc < 100.0 {
            self.limit_w.map_or(max_w, |l| l.min(max_w)).max(0.0)
        } else {
            0.0
        }
    }

    /// Advances the model by `dt_ms`: energy counts up with power, the battery fills.
    pub fn advance(&mut self, dt_ms: u64, max_w: f64) {
        let wh = self.power_w(max_w) * dt_ms as f64 / 3_600_000.0;
        self.energy_wh += wh;
        self.soc = (self.soc + wh / BATTERY_WH * 100.0).min(100.0);
    }

    /// The meter inputs the charger reads now: (measurand, value).
    pub fn readings(&self, max_w: f64) -> Vec<(Measurand, f64)> {
        let power = self.power_w(max_w);
        let offered = if self.energy_on {
            self.limit_w.map_or(max_w, |l| l.min(max_w))
        } else {
            0.0
        };
        let mut out = vec![
            (Measurand::EnergyActiveImportRegister, self.energy_wh),
            (Measurand::PowerActiveImport, power),
            (Measurand::CurrentImport, power / VOLTAGE),
            (Measurand::Voltage, VOLTAGE),
            (Measurand::CurrentOffered, offered / VOLTAGE),
            (Measurand::PowerOffered, offered),
            (Measurand::Temperature, 25.0 + power / 1000.0),
        ];
        if self.plugged {
            out.push((Measurand::SoC, self.soc));
        }
        for (m, v) in out.iter_mut() {
            if let Some(o) = self.overrides.get(m.as_str()) {
                *v = *o;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_follows_power_and_limit() {
        let mut o = Outlet::new(1000.0);
        o.advance(3_600_000, 7400.0);
        assert_eq!(o.energy_wh, 1000.0, "nothing plugged");
        o.plugged = true;
        o.energy_on = true;
        o.advance(3_600_000, 7400.0);
        assert!((o.energy_wh - 8400.0).abs() < 1e-6);
        o.limit_w = Some(0.0);
        o.advance(3_600_000, 7400.0);
        assert!((o.energy_wh - 8400.0).abs() < 1e-6, "limit 0 pauses");
        o.limit_w = Some(3680.0);
        o.suspended = true;
        assert_eq!(o.power_w(7400.0), 0.0);
        o.suspended = false;
        assert_eq!(o.power_w(7400.0), 3680.0);
        o.overrides.insert(Measurand::Voltage.as_str(), 240.0);
        assert!(o.readings(7400.0).contains(&(Measurand::Voltage, 240.0)));
    }
}
