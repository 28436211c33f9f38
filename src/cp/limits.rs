//! The SmartCharging profile wired into the charge point: SetChargingProfile,
//! ClearChargingProfile, GetCompositeSchedule, the effective limit per connector and its
//! `Event::Limit` (1.6 §3.13, §5.5, §5.7, §5.16). The schedule arithmetic is in
//! [`super::smart_charging`].

use alloc::vec::Vec;

use super::keys::{MAX_PERIODS, MAX_PROFILES, MAX_STACK_LEVEL};
use super::smart_charging::{Electrical, Limit, SmartChargingLimits};
use super::{ChargePoint, Event};
use crate::log::Level;
use crate::messages::{
    ChargingProfile, ChargingProfileStatus, ClearChargingProfileReq, ClearChargingProfileStatus,
    GetCompositeScheduleConf, GetCompositeScheduleReq, GetCompositeScheduleStatus, SetChargingProfileReq,
};
use crate::time::Instant;

/// ChargingScheduleAllowedChargingRateUnit is "Current,Power": both units are accepted.
const LIMITS: SmartChargingLimits = SmartChargingLimits {
    max_stack_level: MAX_STACK_LEVEL,
    max_periods: MAX_PERIODS as usize,
    max_profiles: MAX_PROFILES as usize,
    allow_amps: true,
    allow_watts: true,
};

impl ChargePoint {
    fn electrical(&self) -> Electrical {
        Electrical {
            voltage: self.cfg.nominal_voltage,
            phases: self.cfg.phases,
        }
    }

    /// SetChargingProfile: validated and installed by the profile store.
    pub(super) fn set_charging_profile(&mut self, now: Instant, r: SetChargingProfileReq) -> ChargingProfileStatus {
        let c = r.connector_id;
        if c > self.cfg.connectors {
            return ChargingProfileStatus::Rejected;
        }
        let tx = if c == 0 { None } else { self.transaction_id(c) };
        match self.profiles.try_install(c, r.cs_charging_profiles, tx, &LIMITS) {
            Ok(()) => {
                self.limits_changed(now);
                self.save_profiles();
                ChargingProfileStatus::Accepted
            }
            Err(e) => {
                self.log(
                    Level::Warn,
                    format_args!("SetChargingProfile on connector {c} rejected: {e}"),
                );
                ChargingProfileStatus::Rejected
            }
        }
    }

    /// RemoteStartTransaction's chargingProfile (a TxProfile for the coming transaction).
    pub(super) fn remote_start_profile(&mut self, now: Instant, c: u32, profile: ChargingProfile) -> bool {
        match self.profiles.install_remote_start(c, profile, &LIMITS) {
            Ok(()) => {
                self.limits_changed(now);
                self.save_profiles();
                true
            }
            Err(e) => {
                self.log(
                    Level::Warn,
                    format_args!("RemoteStartTransaction profile rejected: {e}"),
                );
                false
            }
        }
    }

    /// ClearChargingProfile.
    pub(super) fn clear_charging_profile(
        &mut self,
        now: Instant,
        r: ClearChargingProfileReq,
    ) -> ClearChargingProfileStatus {
        let status = self
            .profiles
            .clear(r.id, r.connector_id, r.charging_profile_purpose, r.stack_level);
        if status == ClearChargingProfileStatus::Accepted {
            self.save_profiles();
        }
        self.limits_changed(now);
        status
    }

    /// GetCompositeSchedule: Rejected for an unknown connector or when no profile applies.
    pub(super) fn composite_schedule(&self, now: Instant, r: GetCompositeScheduleReq) -> GetCompositeScheduleConf {
        let rejected = GetCompositeScheduleConf {
            status: GetCompositeScheduleStatus::Rejected,
            connector_id: None,
            schedule_start: None,
            charging_schedule: None,
        };
        if r.connector_id > self.cfg.connectors {
            return rejected;
        }
        // Whole seconds, so that period starts fall on the schedule's own boundaries.
        let start = crate::time::DateTime::from_unix_secs(self.now_wall(now).unix_secs());
        let tx_start = self.tx_start(r.connector_id);
        match self.profiles.composite(
            r.connector_id,
            start,
            r.duration,
            r.charging_rate_unit,
            tx_start,
            &self.electrical(),
        ) {
            Some(schedule) => GetCompositeScheduleConf {
                status: GetCompositeScheduleStatus::Accepted,
                connector_id: Some(r.connector_id),
                schedule_start: schedule.start_schedule,
                charging_schedule: Some(schedule),
            },
            None => rejected,
        }
    }

    fn tx_start(&self, c: u32) -> Option<crate::time::DateTime> {
        self.connector(c).and_then(|c| c.tx.as_ref()).map(|t| t.start_wall)
    }

    /// Profiles, transactions or the clock changed: the limits must be looked at again.
    pub(super) fn limits_changed(&mut self, now: Instant) {
        self.limit_check_at = Some(now);
    }

    /// Re-evaluates every connector's limit when due; emits `Event::Limit` on each change
    /// (a limit of 0 included: it pauses charging) and schedules the next evaluation.
    pub(super) fn refresh_limits(&mut self, now: Instant) {
        if self.limit_check_at.is_none_or(|t| t > now) {
            return;
        }
        let wall = self.now_wall(now);
        self.profiles.purge_expired(wall);
        let el = self.electrical();
        let mut next: Option<crate::time::DateTime> = None;
        let current: Vec<(u32, Option<Limit>)> = (1..=self.cfg.connectors)
            .map(|c| {
                let tx_start = self.tx_start(c);
                if let Some(n) = self.profiles.next_change(c, wall, tx_start) {
                    next = Some(next.map_or(n, |m| m.min(n)));
                }
                (c, self.profiles.limit(c, wall, tx_start, &el))
            })
            .collect();
        for (c, limit) in current {
            let Some(conn) = self.connectors.get_mut(c as usize) else {
                continue;
            };
            if conn.limit == limit {
                continue;
            }
            conn.limit = limit;
            self.events.push_back(Event::Limit {
                connector: c,
                amps: limit.map(|l| l.amps),
                watts: limit.map(|l| l.watts),
                phases: limit.and_then(|l| l.phases),
            });
        }
        // Never at or before now: a boundary that is already due must not spin the caller.
        self.limit_check_at = next.and_then(|n| self.instant_of(n)).map(|t| t.max(now.plus_millis(1)));
    }
}
