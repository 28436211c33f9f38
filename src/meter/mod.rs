//! Meter inputs and how they become OCPP meter values.
//!
//! The host pushes the latest reading of each measurand (optionally per phase) with the
//! instant it was taken; a reading is used only while it is fresh (age limit), and only if
//! it is a finite number, so NaN never reaches the wire. Values are formatted as fixed-point
//! decimals with integer arithmetic (no float formatting code in the firmware).

use alloc::string::String;
use alloc::vec::Vec;

use crate::messages::{Location, Measurand, MeterValue, Phase, ReadingContext, SampledValue, UnitOfMeasure};
use crate::time::{DateTime, Instant};

/// The latest reading of one measurand on one phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// What was measured.
    pub measurand: Measurand,
    /// The phase, `None` for a total or single-phase value.
    pub phase: Option<Phase>,
    /// The value in the measurand's unit (see [`unit_of`]); always finite.
    pub value: f64,
    /// When it was taken.
    pub at: Instant,
}

/// Why a reading was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeterError {
    /// NaN or infinite.
    NotFinite,
    /// No such connector.
    UnknownConnector,
}

impl core::fmt::Display for MeterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            MeterError::NotFinite => "meter value is not a finite number",
            MeterError::UnknownConnector => "no such connector",
        })
    }
}

/// The unit a measurand's input is given in and sent with. Frequency and Power.Factor carry
/// no unit: `Hertz` is not in the 1.6 enum and some central systems reject the whole frame.
pub fn unit_of(m: Measurand) -> Option<UnitOfMeasure> {
    use Measurand::*;
    Some(match m {
        EnergyActiveExportRegister
        | EnergyActiveImportRegister
        | EnergyActiveExportInterval
        | EnergyActiveImportInterval => UnitOfMeasure::Wh,
        EnergyReactiveExportRegister
        | EnergyReactiveImportRegister
        | EnergyReactiveExportInterval
        | EnergyReactiveImportInterval => UnitOfMeasure::Varh,
        PowerActiveExport | PowerActiveImport | PowerOffered => UnitOfMeasure::W,
        PowerReactiveExport | PowerReactiveImport => UnitOfMeasure::Var,
        CurrentExport | CurrentImport | CurrentOffered => UnitOfMeasure::A,
        Voltage => UnitOfMeasure::V,
        Temperature => UnitOfMeasure::Celsius,
        SoC => UnitOfMeasure::Percent,
        Frequency | PowerFactor | Rpm => return None,
    })
}

/// Where a measurand is taken, when it is not the outlet (the default, left out).
pub fn location_of(m: Measurand) -> Option<Location> {
    match m {
        Measurand::SoC => Some(Location::EV),
        Measurand::Temperature => Some(Location::Body),
        _ => None,
    }
}

/// Writes `v` with up to three decimals, trailing zeros trimmed ("230.1", "-0.5", "16"),
/// without float formatting code (the same text as a [`Decimal`](crate::messages::Decimal)).
pub fn write_decimal(out: &mut String, v: f64) {
    out.push_str(crate::json::NumText::decimal(v).as_str());
}

/// The latest readings of every connector (index 0 is the charge point's main meter).
#[derive(Clone, Debug, Default)]
pub struct MeterInputs {
    connectors: Vec<Vec<Sample>>,
}

impl MeterInputs {
    /// Empty inputs for connectors `0..=connectors`.
    pub fn new(connectors: u32) -> Self {
        let n = usize::try_from(connectors).unwrap_or(0).saturating_add(1);
        MeterInputs {
            connectors: (0..n).map(|_| Vec::new()).collect(),
        }
    }

    /// Stores a reading, replacing the previous one of the same measurand and phase.
    pub fn set(
        &mut self,
        now: Instant,
        connector: u32,
        measurand: Measurand,
        phase: Option<Phase>,
        value: f64,
    ) -> Result<(), MeterError> {
        if !value.is_finite() {
            return Err(MeterError::NotFinite);
        }
        let list = usize::try_from(connector)
            .ok()
            .and_then(|c| self.connectors.get_mut(c))
            .ok_or(MeterError::UnknownConnector)?;
        let sample = Sample {
            measurand,
            phase,
            value,
            at: now,
        };
        match list.iter_mut().find(|s| s.measurand == measurand && s.phase == phase) {
            Some(s) => *s = sample,
            None => list.push(sample),
        }
        Ok(())
    }

    /// Forgets every reading of a connector (e.g. the EV left: its SoC is no longer true).
    pub fn clear(&mut self, connector: u32, measurand: Measurand) {
        if let Some(list) = usize::try_from(connector).ok().and_then(|c| self.connectors.get_mut(c)) {
            list.retain(|s| s.measurand != measurand);
        }
    }

    /// Forgets the reading of `measurand` on `phase` (`None`: the total) of a connector.
    pub fn forget(&mut self, connector: u32, measurand: Measurand, phase: Option<Phase>) {
        if let Some(list) = usize::try_from(connector).ok().and_then(|c| self.connectors.get_mut(c)) {
            list.retain(|s| s.measurand != measurand || s.phase != phase);
        }
    }

    fn fresh(&self, connector: u32, now: Instant, max_age_ms: u64) -> impl Iterator<Item = &Sample> {
        usize::try_from(connector)
            .ok()
            .and_then(|c| self.connectors.get(c))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter(move |s| max_age_ms == 0 || now.millis_since(s.at) <= max_age_ms)
    }

    /// The fresh reading of `measurand` without a phase, if any.
    pub fn latest(&self, connector: u32, measurand: Measurand, now: Instant, max_age_ms: u64) -> Option<f64> {
        self.fresh(connector, now, max_age_ms)
            .find(|s| s.measurand == measurand && s.phase.is_none())
            .map(|s| s.value)
    }

    /// The energy register in whole Wh (for meterStart / meterStop), if fresh.
    pub fn energy_wh(&self, connector: u32, now: Instant, max_age_ms: u64) -> Option<i32> {
        let wh = self.latest(connector, Measurand::EnergyActiveImportRegister, now, max_age_ms)?;
        // Saturating float-to-int cast; energy registers beyond 2^31 Wh are clamped.
        Some((wh + 0.5) as i32)
    }

    /// One meter value with every fresh reading of `measurands`, or `None` when none is fresh.
    pub fn sample(
        &self,
        connector: u32,
        measurands: &[Measurand],
        context: ReadingContext,
        now: Instant,
        max_age_ms: u64,
        timestamp: DateTime,
    ) -> Option<MeterValue> {
        let mut mv = MeterValue {
            timestamp,
            sampled_value: Vec::new(),
        };
        self.sample_into(connector, measurands, context, now, max_age_ms, &mut mv)
            .then_some(mv)
    }

    /// [`Self::sample`] into `out` (its timestamp is left to the caller), reusing the room its
    /// values already have: with a recycled `out`, a periodic sample allocates nothing.
    /// Whether any reading was fresh.
    pub fn sample_into(
        &self,
        connector: u32,
        measurands: &[Measurand],
        context: ReadingContext,
        now: Instant,
        max_age_ms: u64,
        out: &mut MeterValue,
    ) -> bool {
        let mut n = 0usize;
        for m in measurands {
            for s in self.fresh(connector, now, max_age_ms).filter(|s| s.measurand == *m) {
                let fill = |sv: &mut SampledValue| {
                    sv.value.clear();
                    write_decimal(&mut sv.value, s.value);
                    sv.context = Some(context);
                    sv.format = None;
                    sv.measurand = Some(*m);
                    sv.phase = s.phase;
                    sv.location = location_of(*m);
                    sv.unit = unit_of(*m);
                };
                match out.sampled_value.get_mut(n) {
                    Some(sv) => fill(sv),
                    None => {
                        let mut sv = SampledValue {
                            value: String::new(),
                            context: None,
                            format: None,
                            measurand: None,
                            phase: None,
                            location: None,
                            unit: None,
                        };
                        fill(&mut sv);
                        out.sampled_value.push(sv);
                    }
                }
                n += 1;
            }
        }
        out.sampled_value.truncate(n);
        n > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(v: f64) -> String {
        let mut s = String::new();
        write_decimal(&mut s, v);
        s
    }

    #[test]
    fn decimals_are_fixed_point() {
        let rows = [
            (0.0, "0"),
            (16.0, "16"),
            (230.1, "230.1"),
            (-0.5, "-0.5"),
            (1.23456, "1.235"),
            (0.0004, "0"),
            (-0.0004, "0"),
            (10800.0, "10800"),
            (0.05, "0.05"),
            // Not clamped to 9e15 as it once was: the reading as it is.
            (1e300, "1e300"),
            (-12345678901234567.0, "-12345678901234568"),
        ];
        for (v, want) in rows {
            assert_eq!(dec(v), want, "{v}");
        }
    }

    #[test]
    fn readings_are_fresh_finite_and_per_phase() {
        let mut m = MeterInputs::new(1);
        let t0 = Instant::from_millis(1000);
        assert_eq!(
            m.set(t0, 1, Measurand::Voltage, None, f64::NAN),
            Err(MeterError::NotFinite)
        );
        assert_eq!(
            m.set(t0, 2, Measurand::Voltage, None, 1.0),
            Err(MeterError::UnknownConnector)
        );
        m.set(t0, 1, Measurand::Voltage, Some(Phase::L1N), 229.5).unwrap();
        m.set(t0, 1, Measurand::Voltage, Some(Phase::L2N), 231.0).unwrap();
        m.set(t0, 1, Measurand::EnergyActiveImportRegister, None, 1234.6)
            .unwrap();
        assert_eq!(m.energy_wh(1, t0, 0), Some(1235));
        let ts = DateTime::from_unix_millis(0);
        let mv = m
            .sample(
                1,
                &[Measurand::Voltage, Measurand::SoC],
                ReadingContext::SamplePeriodic,
                t0,
                60_000,
                ts,
            )
            .unwrap();
        assert_eq!(mv.sampled_value.len(), 2);
        assert_eq!(mv.sampled_value[0].phase, Some(Phase::L1N));
        assert_eq!(mv.sampled_value[0].value, "229.5");
        assert_eq!(mv.sampled_value[1].unit, Some(UnitOfMeasure::V));
        // A sensor that went unavailable: its phase is forgotten, the other one stays.
        m.forget(1, Measurand::Voltage, Some(Phase::L1N));
        let mv = m
            .sample(1, &[Measurand::Voltage], ReadingContext::SamplePeriodic, t0, 60_000, ts)
            .unwrap();
        assert_eq!(mv.sampled_value.len(), 1);
        assert_eq!(mv.sampled_value[0].phase, Some(Phase::L2N));
        m.forget(1, Measurand::Voltage, Some(Phase::L2N));
        assert!(m
            .sample(1, &[Measurand::Voltage], ReadingContext::SamplePeriodic, t0, 60_000, ts)
            .is_none());
        // Sixty seconds later the readings are stale and nothing is sent.
        let later = t0.plus_secs(61);
        assert!(m
            .sample(
                1,
                &[Measurand::Voltage],
                ReadingContext::SamplePeriodic,
                later,
                60_000,
                ts
            )
            .is_none());
        assert_eq!(m.energy_wh(1, later, 60_000), None);
    }
}
