//! Smart charging (OCPP 1.6 §3.13): the installed charging profiles, the checks of
//! SetChargingProfile (§5.16), ClearChargingProfile (§5.5), GetCompositeSchedule (§5.7) and
//! the limit the profiles impose on a connector at any instant.
//!
//! Pure logic: [`ProfileStore`] reads no clock and sends nothing. The charge point asks it
//! for [`ProfileStore::limit`] now, and again at [`ProfileStore::next_change`].
//!
//! Decisions where 1.6 leaves room (each is tested below):
//! - Within one purpose the profile with the highest stackLevel whose validFrom/validTo holds
//!   *and whose schedule has a period at that instant* prevails (§3.13.2); a profile whose
//!   schedule has not begun or has ended lets the next lower stack level through.
//! - TxDefaultProfiles of connector 0 and of the connector compete by stack level; at the
//!   same stack level the connector's own one wins.
//! - With a transaction, an active TxProfile overrules the TxDefaultProfile (§3.13.1); when no
//!   TxProfile has a period at that instant, the TxDefaultProfile applies.
//! - The ChargePointMaxProfile caps every connector on its own: it is not divided between
//!   connectors (a host with several connectors that share one supply must share it itself).
//! - Relative schedules, and Absolute ones without startSchedule (§7.13: "If absent the schedule
//!   will be relative to start of charging"), count from the transaction's start; without a
//!   transaction they count from the instant asked about, so their first period applies (what
//!   a transaction starting now would get: a 0 W TxDefaultProfile pauses the connector before
//!   any transaction, as evcc expects). A ChargePointMaxProfile has no transaction: its
//!   relative schedule always counts from the instant asked about.
//! - A Recurring schedule starts at startSchedule and repeats every day or week from there;
//!   before startSchedule it does not apply. A `duration` shorter than the recurrence leaves
//!   the rest of each day or week without a limit.
//! - `duration: 0` is read as "no duration" (some central systems send 0 for absent).
//! - Units: W = A x voltage x phases, where phases = the smallest `numberPhases` among the
//!   periods in force (capped at the connected phases), else the connected phases.

use alloc::vec::Vec;
use core::fmt;

use crate::messages::{
    ChargingProfile, ChargingProfileKindType, ChargingProfilePurposeType, ChargingProfileStatus, ChargingRateUnitType,
    ChargingSchedule, ChargingSchedulePeriod, ClearChargingProfileStatus, Decimal, RecurrencyKindType,
};
use crate::time::DateTime;

const MS_PER_SEC: i64 = 1000;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Used when [`Electrical::voltage`] is not a positive finite number.
const DEFAULT_VOLTAGE: f64 = 230.0;
/// The most periods a composite schedule holds; a longer one is cut (its `duration` says where).
pub const COMPOSITE_MAX_PERIODS: usize = 48;
/// The most instants a composite schedule evaluates, so a weekly profile asked about for
/// years cannot keep the CPU busy.
const COMPOSITE_MAX_STEPS: usize = 512;

/// The configuration keys that bound what SetChargingProfile may install (1.6 §9.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmartChargingLimits {
    /// ChargeProfileMaxStackLevel: the highest stackLevel accepted.
    pub max_stack_level: i32,
    /// ChargingScheduleMaxPeriods: the most periods in one schedule.
    pub max_periods: usize,
    /// MaxChargingProfilesInstalled: the most profiles installed at once.
    pub max_profiles: usize,
    /// ChargingScheduleAllowedChargingRateUnit lists `Current`: limits in A are accepted.
    pub allow_amps: bool,
    /// ChargingScheduleAllowedChargingRateUnit lists `Power`: limits in W are accepted.
    pub allow_watts: bool,
}

/// What the connector's supply is, for converting between A and W.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Electrical {
    /// Voltage per phase (line to neutral), V; 230 is used if this is not positive.
    pub voltage: f64,
    /// Connected phases, 1 or 3 (values outside 1..=3 are clamped).
    pub phases: u8,
}

/// An effective limit, in both units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// Current per phase, A. 0 means pause charging.
    pub amps: f64,
    /// Total power, W (`amps` x voltage x phases).
    pub watts: f64,
    /// The phases the profiles allow, when a period in force gives `numberPhases` (capped at
    /// the connected phases); `None`: use what is connected.
    pub phases: Option<u8>,
}

json_object! {
    /// A charging profile and the connector it was installed on (0: the whole charge point).
    #[derive(Clone, Debug, PartialEq)]
    pub struct InstalledProfile {
        /// The connectorId of SetChargingProfile.
        req connector: u32 = "connector",
        /// The profile as the central system sent it.
        req profile: ChargingProfile = "profile",
    }
}

/// Why SetChargingProfile (or RemoteStartTransaction's profile) is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileError {
    /// ChargePointMaxProfile on a connector other than 0, or TxProfile on connector 0.
    WrongConnector,
    /// TxProfile on a connector without a transaction (1.6 §5.16.3).
    NoTransaction,
    /// TxProfile whose transactionId is not the connector's transaction.
    TransactionMismatch,
    /// stackLevel below 0 or above ChargeProfileMaxStackLevel.
    StackLevel,
    /// No period, or more than ChargingScheduleMaxPeriods.
    PeriodCount,
    /// The first startPeriod is not 0, or they do not ascend.
    PeriodOrder,
    /// The unit is not in ChargingScheduleAllowedChargingRateUnit.
    Unit,
    /// A limit or minChargingRate below 0.
    NegativeLimit,
    /// numberPhases outside 1..=3.
    NumberPhases,
    /// A negative duration.
    Duration,
    /// Relative with a startSchedule, or Recurring without one.
    StartSchedule,
    /// Recurring without recurrencyKind.
    RecurrencyKind,
    /// validTo not after validFrom.
    Validity,
    /// RemoteStartTransaction's profile must be a TxProfile without transactionId (1.6 §5.16.2).
    NotRemoteStartProfile,
    /// MaxChargingProfilesInstalled profiles are installed already.
    TooMany,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProfileError::WrongConnector => "purpose not allowed on this connector",
            ProfileError::NoTransaction => "TxProfile without a transaction on the connector",
            ProfileError::TransactionMismatch => "transactionId is not the connector's transaction",
            ProfileError::StackLevel => "stackLevel outside 0..=ChargeProfileMaxStackLevel",
            ProfileError::PeriodCount => "period count outside 1..=ChargingScheduleMaxPeriods",
            ProfileError::PeriodOrder => "startPeriod must begin at 0 and ascend",
            ProfileError::Unit => "chargingRateUnit not allowed",
            ProfileError::NegativeLimit => "negative limit",
            ProfileError::NumberPhases => "numberPhases outside 1..=3",
            ProfileError::Duration => "negative duration",
            ProfileError::StartSchedule => "startSchedule missing (Recurring) or given (Relative)",
            ProfileError::RecurrencyKind => "Recurring without recurrencyKind",
            ProfileError::Validity => "validTo not after validFrom",
            ProfileError::NotRemoteStartProfile => "RemoteStartTransaction needs a TxProfile without transactionId",
            ProfileError::TooMany => "MaxChargingProfilesInstalled reached",
        })
    }
}

/// Where schedules without a fixed start count from, for one evaluation.
#[derive(Clone, Copy)]
struct Ctx {
    /// The connector's running transaction's start.
    tx_start: Option<DateTime>,
    /// Without a transaction: `None` = from the instant evaluated (the schedule floats, so it
    /// has no period boundaries); `Some(s)` = from `s` (a composite schedule's start).
    float: Option<DateTime>,
}

/// One profile's period in force at an instant, in the profile's unit.
#[derive(Clone, Copy)]
struct Part {
    limit: f64,
    unit: ChargingRateUnitType,
    phases: Option<u8>,
    min_rate: Option<f64>,
}

/// The installed charging profiles (1.6 §3.13). See the [module documentation](self).
#[derive(Clone, Debug, Default)]
pub struct ProfileStore {
    profiles: Vec<InstalledProfile>,
    max_current: Option<f64>,
}

impl ProfileStore {
    /// No profiles.
    pub fn new() -> Self {
        ProfileStore::default()
    }

    /// The connector's hardware maximum (A per phase), used in composite schedules for the
    /// times no profile limits. Without it those times are left out: the schedule starts at
    /// the first limited instant and ends at the first unlimited one after it.
    pub fn set_max_current(&mut self, amps: Option<f64>) {
        self.max_current = amps.filter(|a| a.is_finite() && *a >= 0.0);
    }

    /// SetChargingProfile validation + install (1.6 §5.16, §3.13): ChargePointMaxProfile only on
    /// connector 0; TxProfile only on a connector with a transaction (`tx` = that connector's
    /// running transaction id, None if none) and, if profile.transaction_id is given, it must
    /// match; TxDefaultProfile on 0 (all connectors) or one; stack level 0..=max; periods
    /// 1..=max, first startPeriod 0, ascending; unit allowed; limit >= 0; Relative without
    /// startSchedule, Recurring with recurrencyKind + startSchedule; a profile with the same id
    /// replaces the old one, as does one with the same (connector, purpose, stackLevel);
    /// more than max_profiles -> Rejected.
    ///
    /// The caller checks that `connector` exists. [`ProfileStore::try_install`] says why.
    pub fn install(
        &mut self,
        connector: u32,
        profile: ChargingProfile,
        tx: Option<i32>,
        limits: &SmartChargingLimits,
    ) -> ChargingProfileStatus {
        match self.try_install(connector, profile, tx, limits) {
            Ok(()) => ChargingProfileStatus::Accepted,
            Err(_) => ChargingProfileStatus::Rejected,
        }
    }

    /// [`ProfileStore::install`], with the reason of a rejection.
    pub fn try_install(
        &mut self,
        connector: u32,
        profile: ChargingProfile,
        tx: Option<i32>,
        limits: &SmartChargingLimits,
    ) -> Result<(), ProfileError> {
        check_target(connector, &profile, tx)?;
        check_profile(&profile, limits)?;
        self.put(connector, profile, limits)
    }

    /// Installs the chargingProfile of a RemoteStartTransaction.req (1.6 §5.11, §5.16.2) on the
    /// connector the transaction will start on: it must be a TxProfile without transactionId.
    /// It applies once that transaction runs; if none starts, call
    /// [`ProfileStore::transaction_ended`] to drop it.
    pub fn install_remote_start(
        &mut self,
        connector: u32,
        profile: ChargingProfile,
        limits: &SmartChargingLimits,
    ) -> Result<(), ProfileError> {
        if profile.charging_profile_purpose != ChargingProfilePurposeType::TxProfile || profile.transaction_id.is_some()
        {
            return Err(ProfileError::NotRemoteStartProfile);
        }
        if connector == 0 {
            return Err(ProfileError::WrongConnector);
        }
        check_profile(&profile, limits)?;
        self.put(connector, profile, limits)
    }

    /// Adds a checked profile, replacing the one with its id or its (connector, purpose,
    /// stackLevel) (1.6 §5.16.3).
    fn put(
        &mut self,
        connector: u32,
        profile: ChargingProfile,
        limits: &SmartChargingLimits,
    ) -> Result<(), ProfileError> {
        let replaced = |ip: &InstalledProfile| {
            ip.profile.charging_profile_id == profile.charging_profile_id
                || (ip.connector == connector
                    && ip.profile.charging_profile_purpose == profile.charging_profile_purpose
                    && ip.profile.stack_level == profile.stack_level)
        };
        let kept = self.profiles.iter().filter(|ip| !replaced(ip)).count();
        if kept >= limits.max_profiles {
            return Err(ProfileError::TooMany);
        }
        self.profiles.retain(|ip| !replaced(ip));
        self.profiles.push(InstalledProfile { connector, profile });
        Ok(())
    }

    /// ClearChargingProfile (1.6 §5.5): by id (any connector), else by the given filters
    /// (connector: 0 = the charge point-wide ones only; purpose; stack level). Accepted if
    /// anything was removed, Unknown otherwise. No id and no filter clears everything.
    pub fn clear(
        &mut self,
        id: Option<i32>,
        connector: Option<u32>,
        purpose: Option<ChargingProfilePurposeType>,
        stack_level: Option<i32>,
    ) -> ClearChargingProfileStatus {
        let before = self.profiles.len();
        self.profiles.retain(|ip| {
            let hit = match id {
                Some(id) => ip.profile.charging_profile_id == id,
                None => {
                    connector.is_none_or(|c| ip.connector == c)
                        && purpose.is_none_or(|p| ip.profile.charging_profile_purpose == p)
                        && stack_level.is_none_or(|s| ip.profile.stack_level == s)
                }
            };
            !hit
        });
        if self.profiles.len() < before {
            ClearChargingProfileStatus::Accepted
        } else {
            ClearChargingProfileStatus::Unknown
        }
    }

    /// A transaction ended (or a remote start came to nothing): the connector's TxProfiles go
    /// (1.6 §3.13.1: a TxProfile ceases to be valid when its transaction ends). True if any went.
    pub fn transaction_ended(&mut self, connector: u32) -> bool {
        let before = self.profiles.len();
        self.profiles.retain(|ip| {
            !(ip.connector == connector && ip.profile.charging_profile_purpose == ChargingProfilePurposeType::TxProfile)
        });
        self.profiles.len() < before
    }

    /// Drops the profiles that can never apply again after `now`: validTo passed, or an
    /// Absolute schedule with a startSchedule whose duration has run out. True if any went
    /// (so the caller persists the store again).
    pub fn purge_expired(&mut self, now: DateTime) -> bool {
        let before = self.profiles.len();
        self.profiles.retain(|ip| {
            let p = &ip.profile;
            let s = &p.charging_schedule;
            let expired = p.valid_to.is_some_and(|v| v <= now)
                || (p.charging_profile_kind == ChargingProfileKindType::Absolute
                    && matches!((s.start_schedule, duration_ms(s)), (Some(st), Some(d)) if st.plus_millis(d) <= now));
            !expired
        });
        self.profiles.len() < before
    }

    /// The effective limit on `connector` (>= 1; 0 gives the ChargePointMaxProfile alone) at
    /// `now`: the minimum of the ChargePointMaxProfile and, if a transaction runs (`tx_start`
    /// = its start), the TxProfile, else (or when no TxProfile has a period now) the
    /// TxDefaultProfile. See the [module documentation](self) for precedence and units.
    /// `None`: no limit. minChargingRate does not lower or raise the limit.
    pub fn limit(&self, connector: u32, now: DateTime, tx_start: Option<DateTime>, el: &Electrical) -> Option<Limit> {
        let ctx = Ctx { tx_start, float: None };
        let (cp, tx) = self.parts_at(connector, now, ctx);
        combine(cp, tx, el)
    }

    /// The next instant after `now` at which [`ProfileStore::limit`] may change for
    /// `connector` (a period start, a validFrom/validTo, a schedule end, a recurrence
    /// boundary). None if never. The limit there may turn out unchanged.
    pub fn next_change(&self, connector: u32, now: DateTime, tx_start: Option<DateTime>) -> Option<DateTime> {
        self.next_boundary(connector, now, Ctx { tx_start, float: None })
    }

    /// GetCompositeSchedule (1.6 §5.7, §3.13.4): connector 0 = the grid connection
    /// (ChargePointMaxProfile only); periods from `start` for `duration_s`, in `unit` (when
    /// None: W if every profile that contributes is in W, else A), merged where the limit
    /// does not change; startSchedule = start (unless the first times have no limit, see
    /// [`ProfileStore::set_max_current`]). Limits are rounded down to 0.1 (the schemas'
    /// multipleOf). minChargingRate is the largest among the Tx/TxDefault profiles that
    /// contribute. Relative schedules without a transaction count from `start`.
    ///
    /// None if no profile applies (-> Rejected). For times without a limit see
    /// [`ProfileStore::set_max_current`]; a schedule is also cut after
    /// [`COMPOSITE_MAX_PERIODS`] periods. In both cases `duration` tells how far it reaches.
    pub fn composite(
        &self,
        connector: u32,
        start: DateTime,
        duration_s: i32,
        unit: Option<ChargingRateUnitType>,
        tx_start: Option<DateTime>,
        el: &Electrical,
    ) -> Option<ChargingSchedule> {
        if duration_s < 0 {
            return None;
        }
        let end = start.plus_millis(i64::from(duration_s) * MS_PER_SEC);
        let ctx = Ctx {
            tx_start,
            float: Some(start),
        };
        let (voltage, connected) = supply(el);
        let hw = self.max_current.map(|amps| Limit {
            amps,
            watts: amps * voltage * f64::from(connected),
            phases: None,
        });

        // Walk the boundaries, keeping each distinct limit and where it starts.
        let mut segments: Vec<(DateTime, Option<Limit>)> = Vec::new();
        let mut saw_amps = false;
        let mut saw_watts = false;
        let mut min_rate: Option<Limit> = None;
        let mut cut = end;
        let mut t = start;
        let mut steps = 0;
        loop {
            let (cp, tx) = self.parts_at(connector, t, ctx);
            for p in [cp, tx].iter().flatten() {
                match p.unit {
                    ChargingRateUnitType::A => saw_amps = true,
                    ChargingRateUnitType::W => saw_watts = true,
                }
            }
            let limit = combine(cp, tx, el).or(hw);
            if let Some(rate) = tx.and_then(|p| p.min_rate.map(|r| Part { limit: r, ..p })) {
                let rate = combine(None, Some(rate), el);
                if min_rate.is_none_or(|m| rate.is_some_and(|r| r.amps > m.amps)) {
                    min_rate = rate;
                }
            }
            if segments.last().is_none_or(|(_, last)| *last != limit) {
                if segments.len() == COMPOSITE_MAX_PERIODS {
                    cut = t;
                    break;
                }
                segments.push((t, limit));
            }
            steps += 1;
            match self.next_boundary(connector, t, ctx) {
                Some(next) if next < end && steps < COMPOSITE_MAX_STEPS => t = next,
                Some(next) if next < end => {
                    cut = next;
                    break;
                }
                _ => break,
            }
        }

        if !saw_amps && !saw_watts {
            return None;
        }
        let unit = unit.unwrap_or(if saw_watts && !saw_amps {
            ChargingRateUnitType::W
        } else {
            ChargingRateUnitType::A
        });
        let in_unit = |l: &Limit| {
            tenths_down(match unit {
                ChargingRateUnitType::A => l.amps,
                ChargingRateUnitType::W => l.watts,
            })
        };

        // Leading times without a limit are left out, and the first such time after ends it.
        let mut origin: Option<DateTime> = None;
        let mut periods: Vec<ChargingSchedulePeriod> = Vec::new();
        for (at, limit) in &segments {
            let Some(limit) = limit else {
                if origin.is_some() {
                    cut = *at;
                    break;
                }
                continue;
            };
            let origin = *origin.get_or_insert(*at);
            let start_period = secs_between(origin, *at);
            let period = ChargingSchedulePeriod {
                start_period,
                limit: Decimal::new(in_unit(limit)).unwrap_or(Decimal::ZERO),
                number_phases: limit.phases.map(i32::from),
            };
            // Boundaries less than a second apart: the later limit holds from that second.
            if periods.last().is_some_and(|p| p.start_period == start_period) {
                periods.pop();
            }
            let same = periods
                .last()
                .is_some_and(|p| p.limit == period.limit && p.number_phases == period.number_phases);
            if !same {
                periods.push(period);
            }
        }
        let origin = origin?;
        Some(ChargingSchedule {
            duration: Some(secs_between(origin, cut)),
            start_schedule: Some(origin),
            charging_rate_unit: unit,
            charging_schedule_period: periods,
            min_charging_rate: min_rate.and_then(|m| Decimal::new(in_unit(&m))),
        })
    }

    /// The installed profiles, for persistence.
    pub fn iter(&self) -> impl Iterator<Item = &InstalledProfile> {
        self.profiles.iter()
    }

    /// Replaces the profiles with those persisted before a reboot.
    pub fn restore(&mut self, installed: Vec<InstalledProfile>) {
        self.profiles = installed;
    }

    /// How many profiles are installed.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Whether no profile is installed.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The ChargePointMaxProfile part and the transaction-side part at `t`.
    fn parts_at(&self, connector: u32, t: DateTime, ctx: Ctx) -> (Option<Part>, Option<Part>) {
        let cp = self.best(ChargingProfilePurposeType::ChargePointMaxProfile, connector, t, ctx);
        if connector == 0 {
            return (cp, None);
        }
        let tx = match ctx.tx_start {
            Some(_) => self.best(ChargingProfilePurposeType::TxProfile, connector, t, ctx),
            None => None,
        };
        let tx = tx.or_else(|| self.best(ChargingProfilePurposeType::TxDefaultProfile, connector, t, ctx));
        (cp, tx)
    }

    /// The prevailing profile of `purpose` for `connector` at `t`, as a [`Part`].
    fn best(&self, purpose: ChargingProfilePurposeType, connector: u32, t: DateTime, ctx: Ctx) -> Option<Part> {
        let mut best: Option<((i32, bool), &ChargingProfile, &ChargingSchedulePeriod)> = None;
        for ip in &self.profiles {
            let p = &ip.profile;
            if p.charging_profile_purpose != purpose || !applies(ip, connector) {
                continue;
            }
            // 1.6 §3.13.2: highest stackLevel first; the connector's own TxDefault wins a tie.
            let rank = (p.stack_level, ip.connector != 0);
            if best.as_ref().is_some_and(|(r, _, _)| *r >= rank) {
                continue;
            }
            if let Some(period) = period_at(p, t, ctx) {
                best = Some((rank, p, period));
            }
        }
        best.map(|(_, p, period)| Part {
            limit: period.limit.get(),
            unit: p.charging_schedule.charging_rate_unit,
            phases: period
                .number_phases
                .and_then(|n| u8::try_from(n).ok())
                .filter(|n| (1..=3).contains(n)),
            min_rate: p.charging_schedule.min_charging_rate.map(Decimal::get),
        })
    }

    /// The earliest boundary after `t` of any profile that can affect `connector`.
    fn next_boundary(&self, connector: u32, t: DateTime, ctx: Ctx) -> Option<DateTime> {
        let mut next = None;
        for ip in &self.profiles {
            let relevant = match ip.profile.charging_profile_purpose {
                ChargingProfilePurposeType::ChargePointMaxProfile => ip.connector == 0,
                _ if connector == 0 => false,
                ChargingProfilePurposeType::TxDefaultProfile => applies(ip, connector),
                ChargingProfilePurposeType::TxProfile => ctx.tx_start.is_some() && applies(ip, connector),
            };
            if relevant {
                if let Some(b) = profile_boundary(&ip.profile, t, ctx) {
                    earliest(&mut next, t, b);
                }
            }
        }
        next
    }
}

/// Whether an installed profile of its purpose can govern `connector`.
fn applies(ip: &InstalledProfile, connector: u32) -> bool {
    match ip.profile.charging_profile_purpose {
        ChargingProfilePurposeType::ChargePointMaxProfile => ip.connector == 0,
        ChargingProfilePurposeType::TxDefaultProfile => ip.connector == 0 || ip.connector == connector,
        ChargingProfilePurposeType::TxProfile => connector != 0 && ip.connector == connector,
    }
}

/// The SetChargingProfile rules that depend on the connector and its transaction (1.6 §5.16).
fn check_target(connector: u32, p: &ChargingProfile, tx: Option<i32>) -> Result<(), ProfileError> {
    match p.charging_profile_purpose {
        ChargingProfilePurposeType::ChargePointMaxProfile if connector != 0 => Err(ProfileError::WrongConnector),
        ChargingProfilePurposeType::TxProfile if connector == 0 => Err(ProfileError::WrongConnector),
        ChargingProfilePurposeType::TxProfile => match (tx, p.transaction_id) {
            (None, _) => Err(ProfileError::NoTransaction),
            (Some(running), Some(wanted)) if running != wanted => Err(ProfileError::TransactionMismatch),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The rules on the profile itself and the configured limits (1.6 §5.16, §7.8, §7.13, §9.4).
fn check_profile(p: &ChargingProfile, limits: &SmartChargingLimits) -> Result<(), ProfileError> {
    let s = &p.charging_schedule;
    if p.stack_level < 0 || p.stack_level > limits.max_stack_level {
        return Err(ProfileError::StackLevel);
    }
    let periods = &s.charging_schedule_period;
    if periods.is_empty() || periods.len() > limits.max_periods {
        return Err(ProfileError::PeriodCount);
    }
    let mut previous: Option<i32> = None;
    for q in periods {
        let in_order = match previous {
            None => q.start_period == 0,
            Some(before) => q.start_period > before,
        };
        if !in_order {
            return Err(ProfileError::PeriodOrder);
        }
        previous = Some(q.start_period);
        if q.limit.get() < 0.0 {
            return Err(ProfileError::NegativeLimit);
        }
        if q.number_phases.is_some_and(|n| !(1..=3).contains(&n)) {
            return Err(ProfileError::NumberPhases);
        }
    }
    let allowed = match s.charging_rate_unit {
        ChargingRateUnitType::A => limits.allow_amps,
        ChargingRateUnitType::W => limits.allow_watts,
    };
    if !allowed {
        return Err(ProfileError::Unit);
    }
    if s.min_charging_rate.is_some_and(|r| r.get() < 0.0) {
        return Err(ProfileError::NegativeLimit);
    }
    if s.duration.is_some_and(|d| d < 0) {
        return Err(ProfileError::Duration);
    }
    match p.charging_profile_kind {
        ChargingProfileKindType::Relative if s.start_schedule.is_some() => return Err(ProfileError::StartSchedule),
        ChargingProfileKindType::Recurring if p.recurrency_kind.is_none() => return Err(ProfileError::RecurrencyKind),
        ChargingProfileKindType::Recurring if s.start_schedule.is_none() => return Err(ProfileError::StartSchedule),
        _ => {}
    }
    if let (Some(from), Some(to)) = (p.valid_from, p.valid_to) {
        if to <= from {
            return Err(ProfileError::Validity);
        }
    }
    Ok(())
}

/// The schedule's duration in ms; `None` (also for 0) = open-ended.
fn duration_ms(s: &ChargingSchedule) -> Option<i64> {
    s.duration.filter(|d| *d > 0).map(|d| i64::from(d) * MS_PER_SEC)
}

/// The recurrence of a Recurring profile, in ms.
fn recurrence_ms(p: &ChargingProfile) -> Option<i64> {
    if p.charging_profile_kind != ChargingProfileKindType::Recurring {
        return None;
    }
    match p.recurrency_kind? {
        RecurrencyKindType::Daily => Some(DAY_MS),
        RecurrencyKindType::Weekly => Some(WEEK_MS),
    }
}

/// validFrom <= t < validTo (1.6 §7.8).
fn valid_at(p: &ChargingProfile, t: DateTime) -> bool {
    p.valid_from.is_none_or(|f| f <= t) && p.valid_to.is_none_or(|v| t < v)
}

/// Where the schedule instance that covers `t` starts: startSchedule (Absolute), the latest
/// recurrence at or before `t` (Recurring; startSchedule itself before it), the transaction's
/// start or `ctx.float` (Relative). `None`: it floats with `t`.
fn instance_start(p: &ChargingProfile, t: DateTime, ctx: Ctx) -> Option<DateTime> {
    let fixed = p.charging_schedule.start_schedule;
    match (p.charging_profile_kind, fixed, recurrence_ms(p)) {
        (ChargingProfileKindType::Recurring, Some(s), Some(every)) => {
            let since = t.millis_since(s);
            if since <= 0 {
                Some(s)
            } else {
                Some(s.plus_millis(since - since % every))
            }
        }
        (ChargingProfileKindType::Absolute | ChargingProfileKindType::Recurring, Some(s), _) => Some(s),
        _ => match (p.charging_profile_purpose, ctx.tx_start) {
            (ChargingProfilePurposeType::ChargePointMaxProfile, _) | (_, None) => ctx.float,
            (_, Some(tx)) => Some(tx),
        },
    }
}

/// The period of `p` in force at `t`, if the profile is valid and its schedule runs then.
fn period_at(p: &ChargingProfile, t: DateTime, ctx: Ctx) -> Option<&ChargingSchedulePeriod> {
    if !valid_at(p, t) {
        return None;
    }
    let s = &p.charging_schedule;
    let offset = t.millis_since(instance_start(p, t, ctx).unwrap_or(t));
    if offset < 0 || duration_ms(s).is_some_and(|d| offset >= d) {
        return None;
    }
    s.charging_schedule_period
        .iter()
        .take_while(|q| i64::from(q.start_period) * MS_PER_SEC <= offset)
        .last()
}

/// The first instant after `t` at which `p` may start, stop or change period.
fn profile_boundary(p: &ChargingProfile, t: DateTime, ctx: Ctx) -> Option<DateTime> {
    if p.valid_to.is_some_and(|v| v <= t) {
        return None;
    }
    let mut next = None;
    if let Some(from) = p.valid_from {
        earliest(&mut next, t, from);
    }
    if let Some(to) = p.valid_to {
        earliest(&mut next, t, to);
    }
    if let Some(start) = instance_start(p, t, ctx) {
        let s = &p.charging_schedule;
        let end = duration_ms(s);
        for q in &s.charging_schedule_period {
            let at = i64::from(q.start_period) * MS_PER_SEC;
            if end.is_none_or(|e| at < e) {
                earliest(&mut next, t, start.plus_millis(at));
            }
        }
        if let Some(e) = end {
            earliest(&mut next, t, start.plus_millis(e));
        }
        if let Some(every) = recurrence_ms(p) {
            earliest(&mut next, t, start.plus_millis(every));
        }
    }
    next
}

/// Keeps in `next` the earliest candidate strictly after `t`.
fn earliest(next: &mut Option<DateTime>, t: DateTime, candidate: DateTime) {
    if candidate > t && next.is_none_or(|n| candidate < n) {
        *next = Some(candidate);
    }
}

/// The voltage and connected phases to convert with.
fn supply(el: &Electrical) -> (f64, u8) {
    let voltage = if el.voltage.is_finite() && el.voltage > 0.0 {
        el.voltage
    } else {
        DEFAULT_VOLTAGE
    };
    (voltage, el.phases.clamp(1, 3))
}

/// The minimum of the parts in force, in both units (1.6 §3.13.3: ChargePointMax caps the rest).
fn combine(a: Option<Part>, b: Option<Part>, el: &Electrical) -> Option<Limit> {
    let (voltage, connected) = supply(el);
    let asked = match (a.and_then(|p| p.phases), b.and_then(|p| p.phases)) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
    .map(|n| n.min(connected));
    let factor = voltage * f64::from(asked.unwrap_or(connected));
    let mut out: Option<Limit> = None;
    for p in [a, b].iter().flatten() {
        let v = p.limit.max(0.0);
        let (amps, watts) = match p.unit {
            ChargingRateUnitType::A => (v, v * factor),
            ChargingRateUnitType::W => (v / factor, v),
        };
        out = Some(match out {
            None => Limit {
                amps,
                watts,
                phases: asked,
            },
            Some(l) => Limit {
                amps: l.amps.min(amps),
                watts: l.watts.min(watts),
                phases: asked,
            },
        });
    }
    out
}

/// `v` rounded down to a multiple of 0.1 (the schemas' `multipleOf`), without std's `floor`.
fn tenths_down(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 0.0;
    }
    if v >= 1e15 {
        return v;
    }
    // Truncation is floor for positives; the epsilon keeps 30.4 from becoming 30.3.
    let tenths = (v * 10.0 + 1e-6) as i64;
    tenths as f64 / 10.0
}

/// Whole seconds from `from` to `to`, clamped to `i32`.
fn secs_between(from: DateTime, to: DateTime) -> i32 {
    let s = to.millis_since(from).div_euclid(MS_PER_SEC);
    i32::try_from(s).unwrap_or(if s < 0 { 0 } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{ClearChargingProfileReq, GetCompositeScheduleReq, SetChargingProfileReq};
    use alloc::string::String;
    use alloc::vec;

    const LIMITS: SmartChargingLimits = SmartChargingLimits {
        max_stack_level: 8,
        max_periods: 24,
        max_profiles: 16,
        allow_amps: true,
        allow_watts: true,
    };
    const THREE: Electrical = Electrical {
        voltage: 230.0,
        phases: 3,
    };
    const ONE: Electrical = Electrical {
        voltage: 230.0,
        phases: 1,
    };

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn lim(amps: f64, watts: f64, phases: Option<u8>) -> Option<Limit> {
        Some(Limit { amps, watts, phases })
    }

    /// A SetChargingProfile.req as the central system sends it.
    fn req(json: &str) -> SetChargingProfileReq {
        crate::json::from_str(json).unwrap()
    }

    /// Installs a SetChargingProfile.req frame's payload, which must be accepted.
    #[track_caller]
    fn set(store: &mut ProfileStore, json: &str, tx: Option<i32>) {
        let r = req(json);
        assert_eq!(
            store.try_install(r.connector_id, r.cs_charging_profiles, tx, &LIMITS),
            Ok(()),
            "{json}"
        );
    }

    /// The error a SetChargingProfile.req gets.
    #[track_caller]
    fn refuse(json: &str, tx: Option<i32>, limits: &SmartChargingLimits) -> ProfileError {
        let r = req(json);
        let mut store = ProfileStore::new();
        let e = store
            .try_install(r.connector_id, r.cs_charging_profiles, tx, limits)
            .unwrap_err();
        assert!(store.is_empty());
        e
    }

    /// A GetCompositeSchedule answer as JSON, for comparing with the hand-computed one.
    fn composite_json(
        store: &ProfileStore,
        request: &str,
        start: &str,
        tx_start: Option<DateTime>,
        el: &Electrical,
    ) -> Option<String> {
        let r: GetCompositeScheduleReq = crate::json::from_str(request).unwrap();
        store
            .composite(
                r.connector_id,
                dt(start),
                r.duration,
                r.charging_rate_unit,
                tx_start,
                el,
            )
            .map(|s| crate::json::to_string(&s))
    }

    // evcc: TxDefaultProfile, Relative, one period, 0 W = do not charge.
    const EVCC_OFF: &str = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":0}]}}}"#;

    #[test]
    fn evcc_zero_watts_pauses_charging() {
        let mut store = ProfileStore::new();
        set(&mut store, EVCC_OFF, None);
        let now = dt("2026-03-01T12:00:00Z");
        // A limit of 0, not "no limit", before and during a transaction.
        assert_eq!(store.limit(1, now, None, &THREE), lim(0.0, 0.0, None));
        assert_eq!(store.limit(1, now, Some(now), &THREE), lim(0.0, 0.0, None));
        assert_eq!(store.next_change(1, now, None), None);
        assert_eq!(store.limit(2, now, None, &THREE), None);
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":600}"#,
                "2026-03-01T12:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":600,"startSchedule":"2026-03-01T12:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":0}]}"#
            )
        );
        // Enabling again: the same id with 11 kW on 3 phases replaces it.
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11040,"numberPhases":3}]}}}"#,
            None,
        );
        assert_eq!(store.len(), 1);
        assert_eq!(store.limit(1, now, None, &THREE), lim(16.0, 11040.0, Some(3)));
        // The same power on one phase is 48 A.
        assert_eq!(store.limit(1, now, None, &ONE), lim(48.0, 11040.0, Some(1)));
    }

    #[test]
    fn higher_stack_level_wins_and_a_finished_one_lets_the_lower_through() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":10,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":11,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"duration":3600,"startSchedule":"2026-03-01T10:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10}]}}}"#,
            None,
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T09:59:59Z"), None, &THREE),
            lim(16.0, 11040.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:30:00Z"), None, &THREE),
            lim(10.0, 6900.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T11:00:00Z"), None, &THREE),
            lim(16.0, 11040.0, None)
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T09:00:00Z"), None),
            Some(dt("2026-03-01T10:00:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T10:00:00Z"), None),
            Some(dt("2026-03-01T11:00:00Z"))
        );
        assert_eq!(store.next_change(1, dt("2026-03-01T11:00:00Z"), None), None);
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":14400,"chargingRateUnit":"A"}"#,
                "2026-03-01T09:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":14400,"startSchedule":"2026-03-01T09:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16},{"startPeriod":3600,"limit":10},{"startPeriod":7200,"limit":16}]}"#
            )
        );
        // Clearing the higher one leaves the lower in force.
        assert_eq!(
            store.clear(None, None, None, Some(1)),
            ClearChargingProfileStatus::Accepted
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:30:00Z"), None, &THREE),
            lim(16.0, 11040.0, None)
        );
    }

    #[test]
    fn connector_txdefault_beats_connector_zero_only_at_the_same_stack_level() {
        let mut store = ProfileStore::new();
        let now = dt("2026-03-01T12:00:00Z");
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":2,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":20}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":2,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":12}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &ONE), lim(12.0, 2760.0, None));
        assert_eq!(store.limit(2, now, None, &ONE), lim(20.0, 4600.0, None));
        // Connector 0's profile at a higher level wins on connector 1 too.
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":3,"stackLevel":3,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":25}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &ONE), lim(25.0, 5750.0, None));
        // A TxDefault on connector 0 is not the grid connection's limit.
        assert_eq!(store.limit(0, now, None, &ONE), None);
    }

    #[test]
    fn charge_point_max_caps_every_connector() {
        let mut store = ProfileStore::new();
        let now = dt("2026-03-01T12:00:00Z");
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"startSchedule":"2026-01-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":20}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &THREE), lim(20.0, 13800.0, None));
        assert_eq!(store.limit(0, now, None, &THREE), lim(20.0, 13800.0, None));
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":32}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &THREE), lim(20.0, 13800.0, None));
        assert_eq!(store.limit(2, now, None, &THREE), lim(20.0, 13800.0, None));
        set(
            &mut store,
            r#"{"connectorId":2,"csChargingProfiles":{"chargingProfileId":3,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6}]}}}"#,
            None,
        );
        assert_eq!(store.limit(2, now, None, &THREE), lim(6.0, 4140.0, None));
        // A cap in W against a TxDefault in A, on a single-phase supply.
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":7360}]}}}"#,
            None,
        );
        assert_eq!(store.len(), 3);
        assert_eq!(store.limit(1, now, None, &ONE), lim(32.0, 7360.0, None));
        assert_eq!(store.limit(2, now, None, &ONE), lim(6.0, 1380.0, None));
    }

    #[test]
    fn tx_profile_overrules_tx_default_while_its_transaction_runs() {
        let mut store = ProfileStore::new();
        let start = dt("2026-03-01T12:00:00Z");
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":5,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"transactionId":42,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":8}]}}}"#,
            Some(42),
        );
        assert_eq!(store.limit(1, start, Some(start), &THREE), lim(8.0, 5520.0, None));
        assert_eq!(store.limit(2, start, Some(start), &THREE), lim(16.0, 11040.0, None));
        // Without its transaction a TxProfile does not count.
        assert_eq!(store.limit(1, start, None, &THREE), lim(16.0, 11040.0, None));
        assert!(store.transaction_ended(1));
        assert!(!store.transaction_ended(1));
        assert_eq!(store.len(), 1);
        assert_eq!(store.limit(1, start, Some(start), &THREE), lim(16.0, 11040.0, None));
    }

    #[test]
    fn relative_tx_profile_counts_from_the_transaction_start() {
        let mut store = ProfileStore::new();
        let tx = Some(dt("2026-03-01T12:00:00Z"));
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"duration":1200,"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10},{"startPeriod":600,"limit":16}]}}}"#,
            Some(3),
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T12:05:00Z"), tx, &THREE),
            lim(10.0, 6900.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T12:10:00Z"), tx, &THREE),
            lim(16.0, 11040.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T12:20:00Z"), tx, &THREE),
            lim(6.0, 4140.0, None)
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T12:05:00Z"), tx),
            Some(dt("2026-03-01T12:10:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T12:10:00Z"), tx),
            Some(dt("2026-03-01T12:20:00Z"))
        );
        assert_eq!(store.next_change(1, dt("2026-03-01T12:20:00Z"), tx), None);
        // Asked at 12:05 for 20 minutes: the rest of each period, then the default.
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":1200,"chargingRateUnit":"W"}"#,
                "2026-03-01T12:05:00Z",
                tx,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":1200,"startSchedule":"2026-03-01T12:05:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":6900},{"startPeriod":300,"limit":11040},{"startPeriod":900,"limit":4140}]}"#
            )
        );
    }

    #[test]
    fn relative_schedule_without_transaction_counts_from_the_composite_start() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6},{"startPeriod":600,"limit":16}]}}}"#,
            None,
        );
        // No transaction: what one starting now would get, and that does not move.
        assert_eq!(
            store.limit(1, dt("2026-03-01T12:00:00Z"), None, &THREE),
            lim(6.0, 4140.0, None)
        );
        assert_eq!(store.next_change(1, dt("2026-03-01T12:00:00Z"), None), None);
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":900}"#,
                "2026-03-01T12:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":900,"startSchedule":"2026-03-01T12:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6},{"startPeriod":600,"limit":16}]}"#
            )
        );
    }

    #[test]
    fn absolute_without_start_schedule_is_relative_to_the_transaction() {
        // 1.6 §7.13: startSchedule absent = relative to the start of charging.
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16},{"startPeriod":3600,"limit":8}]}}}"#,
            None,
        );
        let tx = Some(dt("2026-03-01T10:00:00Z"));
        assert_eq!(
            store.limit(1, dt("2026-03-01T11:30:00Z"), None, &ONE),
            lim(16.0, 3680.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:30:00Z"), tx, &ONE),
            lim(16.0, 3680.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T11:30:00Z"), tx, &ONE),
            lim(8.0, 1840.0, None)
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T10:30:00Z"), tx),
            Some(dt("2026-03-01T11:00:00Z"))
        );
    }

    #[test]
    fn valid_from_and_valid_to_bound_a_profile() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","validFrom":"2026-03-01T10:00:00Z","validTo":"2026-03-01T12:00:00Z","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, dt("2026-03-01T09:59:59Z"), None, &ONE), None);
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:00:00Z"), None, &ONE),
            lim(16.0, 3680.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T11:59:59.999Z"), None, &ONE),
            lim(16.0, 3680.0, None)
        );
        assert_eq!(store.limit(1, dt("2026-03-01T12:00:00Z"), None, &ONE), None);
        assert_eq!(
            store.next_change(1, dt("2026-03-01T09:00:00Z"), None),
            Some(dt("2026-03-01T10:00:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-01T10:00:00Z"), None),
            Some(dt("2026-03-01T12:00:00Z"))
        );
        assert_eq!(store.next_change(1, dt("2026-03-01T12:00:00Z"), None), None);
        // Beneath it, a stack level 0 profile holds before and after.
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":32}]}}}"#,
            None,
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T09:00:00Z"), None, &ONE),
            lim(32.0, 7360.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T11:00:00Z"), None, &ONE),
            lim(16.0, 3680.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T12:00:00Z"), None, &ONE),
            lim(32.0, 7360.0, None)
        );
        // Expired profiles can be dropped; the open-ended one stays.
        assert!(!store.purge_expired(dt("2026-03-01T11:00:00Z")));
        assert!(store.purge_expired(dt("2026-03-01T12:00:00Z")));
        assert_eq!(
            store
                .iter()
                .map(|ip| ip.profile.charging_profile_id)
                .collect::<Vec<_>>(),
            [2]
        );
    }

    const ABSOLUTE_HOUR: &str = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":5,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"duration":3600,"startSchedule":"2026-03-01T10:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16},{"startPeriod":1800,"limit":8}]}}}"#;

    #[test]
    fn absolute_schedule_ends_with_its_duration() {
        let mut store = ProfileStore::new();
        set(&mut store, ABSOLUTE_HOUR, None);
        assert_eq!(store.limit(1, dt("2026-03-01T09:59:59Z"), None, &THREE), None);
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:00:00Z"), None, &THREE),
            lim(16.0, 11040.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:29:59Z"), None, &THREE),
            lim(16.0, 11040.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-01T10:30:00Z"), None, &THREE),
            lim(8.0, 5520.0, None)
        );
        assert_eq!(store.limit(1, dt("2026-03-01T11:00:00Z"), None, &THREE), None);
        let mut t = dt("2026-03-01T09:00:00Z");
        let mut seen = Vec::new();
        while let Some(next) = store.next_change(1, t, None) {
            seen.push(next);
            t = next;
        }
        assert_eq!(
            seen,
            [
                dt("2026-03-01T10:00:00Z"),
                dt("2026-03-01T10:30:00Z"),
                dt("2026-03-01T11:00:00Z")
            ]
        );
        assert!(!store.purge_expired(dt("2026-03-01T10:59:59Z")));
        assert!(store.purge_expired(dt("2026-03-01T11:00:00Z")));
        assert!(store.is_empty());
    }

    #[test]
    fn composite_leaves_out_unlimited_times_unless_the_hardware_maximum_is_known() {
        let mut store = ProfileStore::new();
        set(&mut store, ABSOLUTE_HOUR, None);
        let ask = r#"{"connectorId":1,"duration":7200,"chargingRateUnit":"A"}"#;
        assert_eq!(
            composite_json(&store, ask, "2026-03-01T09:30:00Z", None, &THREE).as_deref(),
            Some(
                r#"{"duration":3600,"startSchedule":"2026-03-01T10:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16},{"startPeriod":1800,"limit":8}]}"#
            )
        );
        store.set_max_current(Some(32.0));
        assert_eq!(
            composite_json(&store, ask, "2026-03-01T09:30:00Z", None, &THREE).as_deref(),
            Some(
                r#"{"duration":7200,"startSchedule":"2026-03-01T09:30:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":32},{"startPeriod":1800,"limit":16},{"startPeriod":3600,"limit":8},{"startPeriod":5400,"limit":32}]}"#
            )
        );
        // The hardware maximum alone is no profile: nothing for another connector.
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":2,"duration":60}"#,
                "2026-03-01T10:00:00Z",
                None,
                &THREE
            ),
            None
        );
        assert_eq!(store.limit(2, dt("2026-03-01T10:00:00Z"), None, &THREE), None);
    }

    const DAILY_NIGHT: &str = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":7,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"startSchedule":"2026-01-01T22:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6},{"startPeriod":28800,"limit":16}]}}}"#;

    #[test]
    fn daily_recurring_crosses_midnight() {
        let mut store = ProfileStore::new();
        set(&mut store, DAILY_NIGHT, None);
        let at = |s: &str| store.limit(1, dt(s), None, &THREE).map(|l| l.amps);
        assert_eq!(at("2026-01-01T21:59:59Z"), None);
        assert_eq!(at("2026-03-10T21:59:59Z"), Some(16.0));
        assert_eq!(at("2026-03-10T22:00:00Z"), Some(6.0));
        assert_eq!(at("2026-03-10T23:30:00Z"), Some(6.0));
        assert_eq!(at("2026-03-11T03:00:00Z"), Some(6.0));
        assert_eq!(at("2026-03-11T06:00:00Z"), Some(16.0));
        assert_eq!(
            store.next_change(1, dt("2025-12-31T23:00:00Z"), None),
            Some(dt("2026-01-01T22:00:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-10T23:30:00Z"), None),
            Some(dt("2026-03-11T06:00:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-11T07:00:00Z"), None),
            Some(dt("2026-03-11T22:00:00Z"))
        );
        // 20:00 to 08:00 the next morning.
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":43200,"chargingRateUnit":"W"}"#,
                "2026-03-10T20:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":43200,"startSchedule":"2026-03-10T20:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11040},{"startPeriod":7200,"limit":4140},{"startPeriod":36000,"limit":11040}]}"#
            )
        );
    }

    #[test]
    fn daily_with_a_duration_leaves_the_rest_of_the_day_free() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"duration":7200,"startSchedule":"2026-01-01T17:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10}]}}}"#,
            None,
        );
        assert_eq!(
            store.limit(1, dt("2026-03-10T18:59:59Z"), None, &ONE),
            lim(10.0, 2300.0, None)
        );
        assert_eq!(store.limit(1, dt("2026-03-10T19:00:00Z"), None, &ONE), None);
        assert_eq!(
            store.next_change(1, dt("2026-03-10T19:00:00Z"), None),
            Some(dt("2026-03-11T17:00:00Z"))
        );
    }

    #[test]
    fn weekly_recurring_wraps_from_sunday_to_monday() {
        let mut store = ProfileStore::new();
        // From Monday 2026-01-05 00:00: 16 A, Sunday 6 A, Sunday 22:00 off.
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":9,"stackLevel":3,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Weekly","chargingSchedule":{"startSchedule":"2026-01-05T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16},{"startPeriod":518400,"limit":6},{"startPeriod":597600,"limit":0}]}}}"#,
            None,
        );
        assert_eq!(dt("2026-01-05T00:00:00Z").weekday(), 0);
        assert_eq!(dt("2026-03-08T00:00:00Z").weekday(), 6);
        let at = |s: &str| store.limit(2, dt(s), None, &THREE).map(|l| l.amps);
        assert_eq!(at("2026-03-07T23:59:59Z"), Some(16.0));
        assert_eq!(at("2026-03-08T21:00:00Z"), Some(6.0));
        assert_eq!(at("2026-03-08T23:00:00Z"), Some(0.0));
        assert_eq!(at("2026-03-09T00:00:00Z"), Some(16.0));
        assert_eq!(
            store.next_change(2, dt("2026-03-08T23:00:00Z"), None),
            Some(dt("2026-03-09T00:00:00Z"))
        );
        assert_eq!(
            store.next_change(2, dt("2026-03-09T00:00:00Z"), None),
            Some(dt("2026-03-15T00:00:00Z"))
        );
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":2,"duration":14400}"#,
                "2026-03-08T21:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":14400,"startSchedule":"2026-03-08T21:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6},{"startPeriod":3600,"limit":0},{"startPeriod":10800,"limit":16}]}"#
            )
        );
    }

    /// A ChargePointMaxProfile in W with three steps and a daily TxDefaultProfile in A.
    fn mixed_units() -> ProfileStore {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"startSchedule":"2026-03-02T00:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11040},{"startPeriod":28800,"limit":6900},{"startPeriod":57600,"limit":9660}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"startSchedule":"2026-03-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10},{"startPeriod":21600,"limit":32},{"startPeriod":64800,"limit":8}],"minChargingRate":6}}}"#,
            None,
        );
        store
    }

    #[test]
    fn composite_crosses_period_boundaries_in_amps_and_watts() {
        let store = mixed_units();
        // By hand (690 W per A on 3 x 230 V), from 05:00:
        // 05-06 min(16, 10) = 10 | 06-08 min(16, 32) = 16 | 08-16 min(10, 32) = 10
        // 16-18 min(14, 32) = 14 | 18-24 min(14, 8) = 8 | 00-05 min(14, 10) = 10
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":86400}"#,
                "2026-03-02T05:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":86400,"startSchedule":"2026-03-02T05:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10},{"startPeriod":3600,"limit":16},{"startPeriod":10800,"limit":10},{"startPeriod":39600,"limit":14},{"startPeriod":46800,"limit":8},{"startPeriod":68400,"limit":10}],"minChargingRate":6}"#
            )
        );
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":86400,"chargingRateUnit":"W"}"#,
                "2026-03-02T05:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":86400,"startSchedule":"2026-03-02T05:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":6900},{"startPeriod":3600,"limit":11040},{"startPeriod":10800,"limit":6900},{"startPeriod":39600,"limit":9660},{"startPeriod":46800,"limit":5520},{"startPeriod":68400,"limit":6900}],"minChargingRate":4140}"#
            )
        );
        // Connector 0 is the grid connection: the ChargePointMaxProfile alone, in its unit.
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":0,"duration":86400}"#,
                "2026-03-02T05:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":86400,"startSchedule":"2026-03-02T05:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11040},{"startPeriod":10800,"limit":6900},{"startPeriod":39600,"limit":9660}]}"#
            )
        );
        // The limit agrees with the composite at each boundary.
        assert_eq!(
            store.limit(1, dt("2026-03-02T16:00:00Z"), None, &THREE),
            lim(14.0, 9660.0, None)
        );
        assert_eq!(
            store.limit(1, dt("2026-03-02T18:00:00Z"), None, &THREE),
            lim(8.0, 5520.0, None)
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-02T05:00:00Z"), None),
            Some(dt("2026-03-02T06:00:00Z"))
        );
        assert_eq!(
            store.next_change(1, dt("2026-03-02T16:00:00Z"), None),
            Some(dt("2026-03-02T18:00:00Z"))
        );
    }

    #[test]
    fn composite_edge_cases() {
        let store = mixed_units();
        let start = dt("2026-03-02T05:00:00Z");
        assert_eq!(store.composite(1, start, -1, None, None, &THREE), None);
        assert_eq!(ProfileStore::new().composite(1, start, 60, None, None, &THREE), None);
        // Duration 0: the limit at that instant.
        let now = store.composite(1, start, 0, None, None, &THREE).unwrap();
        assert_eq!(now.duration, Some(0));
        assert_eq!(now.charging_schedule_period.len(), 1);
        // Thousands of boundaries: cut after COMPOSITE_MAX_PERIODS, duration says where.
        let mut daily = ProfileStore::new();
        set(&mut daily, DAILY_NIGHT, None);
        let long = daily
            .composite(1, dt("2026-03-10T20:00:00Z"), 86400 * 365, None, None, &THREE)
            .unwrap();
        assert_eq!(long.charging_schedule_period.len(), COMPOSITE_MAX_PERIODS);
        // The 49th change is 06:00 on the 24th morning: 36000 + 23 x 86400 s.
        assert_eq!(long.duration, Some(36_000 + 23 * 86_400));
        let last = long.charging_schedule_period.last().unwrap();
        assert_eq!((last.start_period, last.limit.get()), (7200 + 23 * 86_400, 6.0));
    }

    #[test]
    fn composite_rounds_down_to_tenths_and_keeps_phases() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":7000},{"startPeriod":60,"limit":3500,"numberPhases":1}]}}}"#,
            None,
        );
        let now = dt("2026-03-01T12:00:00Z");
        let l = store.limit(1, now, None, &THREE).unwrap();
        assert!((l.amps - 7000.0 / 690.0).abs() < 1e-9 && l.watts == 7000.0 && l.phases.is_none());
        // 7000 W / 690 = 10.14 A -> 10.1; 3500 W / 230 = 15.21 A -> 15.2.
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":120,"chargingRateUnit":"A"}"#,
                "2026-03-01T12:00:00Z",
                None,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":120,"startSchedule":"2026-03-01T12:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10.1},{"startPeriod":60,"limit":15.2,"numberPhases":1}]}"#
            )
        );
        assert_eq!(tenths_down(30.4), 30.4);
        assert_eq!(tenths_down(0.09), 0.0);
        assert_eq!(tenths_down(-3.0), 0.0);
        assert_eq!(tenths_down(f64::NAN), 0.0);
        assert_eq!(tenths_down(1e300), 1e300);
    }

    #[test]
    fn boundaries_within_a_second_keep_the_later_limit() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6}]}}}"#,
            None,
        );
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"startSchedule":"2026-03-01T12:00:00.500Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10},{"startPeriod":60,"limit":16}]}}}"#,
            Some(1),
        );
        let tx = Some(dt("2026-03-01T11:00:00Z"));
        assert_eq!(
            composite_json(
                &store,
                r#"{"connectorId":1,"duration":120}"#,
                "2026-03-01T12:00:00Z",
                tx,
                &THREE
            )
            .as_deref(),
            Some(
                r#"{"duration":120,"startSchedule":"2026-03-01T12:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10},{"startPeriod":60,"limit":16}]}"#
            )
        );
    }

    #[test]
    fn phases_and_supply() {
        let mut store = ProfileStore::new();
        let now = dt("2026-03-01T12:00:00Z");
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16,"numberPhases":1}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &THREE), lim(16.0, 3680.0, Some(1)));
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16,"numberPhases":3}]}}}"#,
            None,
        );
        // Three phases asked, one connected.
        assert_eq!(store.limit(1, now, None, &ONE), lim(16.0, 3680.0, Some(1)));
        // A CP max on one phase makes the whole limit single-phase.
        set(
            &mut store,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":20,"numberPhases":1}]}}}"#,
            None,
        );
        assert_eq!(store.limit(1, now, None, &THREE), lim(16.0, 3680.0, Some(1)));
        // A nonsensical supply falls back to 230 V, and to 1..=3 phases.
        let odd = Electrical {
            voltage: f64::NAN,
            phases: 0,
        };
        assert_eq!(store.limit(1, now, None, &odd), lim(16.0, 3680.0, Some(1)));
        assert_eq!(
            store.clear(Some(2), None, None, None),
            ClearChargingProfileStatus::Accepted
        );
        let nine = Electrical {
            voltage: -1.0,
            phases: 9,
        };
        assert_eq!(store.limit(1, now, None, &nine), lim(16.0, 11040.0, Some(3)));
    }

    #[test]
    fn duration_zero_means_open_ended() {
        let mut store = ProfileStore::new();
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"duration":0,"startSchedule":"2026-03-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":13}]}}}"#,
            None,
        );
        assert_eq!(
            store.limit(1, dt("2027-03-01T00:00:00Z"), None, &ONE),
            lim(13.0, 2990.0, None)
        );
        assert_eq!(store.next_change(1, dt("2026-03-01T00:00:00Z"), None), None);
    }

    /// Five profiles over two connectors, for ClearChargingProfile.
    fn five() -> ProfileStore {
        let mut store = ProfileStore::new();
        for (connector, id, purpose, level) in [
            (0, 1, "ChargePointMaxProfile", 0),
            (0, 2, "TxDefaultProfile", 0),
            (1, 3, "TxDefaultProfile", 1),
            (2, 4, "TxDefaultProfile", 1),
            (1, 5, "TxProfile", 2),
        ] {
            let json = alloc::format!(
                r#"{{"connectorId":{connector},"csChargingProfiles":{{"chargingProfileId":{id},"stackLevel":{level},"chargingProfilePurpose":"{purpose}","chargingProfileKind":"Relative","chargingSchedule":{{"chargingRateUnit":"A","chargingSchedulePeriod":[{{"startPeriod":0,"limit":16}}]}}}}}}"#
            );
            set(&mut store, &json, Some(77));
        }
        store
    }

    /// Runs a ClearChargingProfile.req on [`five`]; the status and the ids left.
    fn clear_json(json: &str) -> (ClearChargingProfileStatus, Vec<i32>) {
        let r: ClearChargingProfileReq = crate::json::from_str(json).unwrap();
        let mut store = five();
        let status = store.clear(r.id, r.connector_id, r.charging_profile_purpose, r.stack_level);
        (status, store.iter().map(|ip| ip.profile.charging_profile_id).collect())
    }

    #[test]
    fn clear_charging_profile_by_each_filter() {
        use ClearChargingProfileStatus::{Accepted, Unknown};
        assert_eq!(clear_json(r#"{"id":99}"#), (Unknown, vec![1, 2, 3, 4, 5]));
        // An id wins over the other fields (1.6 §5.5).
        assert_eq!(clear_json(r#"{"id":3,"connectorId":2}"#), (Accepted, vec![1, 2, 4, 5]));
        assert_eq!(clear_json(r#"{"connectorId":0}"#), (Accepted, vec![3, 4, 5]));
        assert_eq!(clear_json(r#"{"connectorId":1}"#), (Accepted, vec![1, 2, 4]));
        assert_eq!(
            clear_json(r#"{"chargingProfilePurpose":"TxDefaultProfile"}"#),
            (Accepted, vec![1, 5])
        );
        assert_eq!(clear_json(r#"{"stackLevel":1}"#), (Accepted, vec![1, 2, 5]));
        assert_eq!(
            clear_json(r#"{"connectorId":1,"chargingProfilePurpose":"TxProfile","stackLevel":2}"#),
            (Accepted, vec![1, 2, 3, 4])
        );
        assert_eq!(
            clear_json(r#"{"connectorId":1,"chargingProfilePurpose":"TxProfile","stackLevel":0}"#),
            (Unknown, vec![1, 2, 3, 4, 5])
        );
        assert_eq!(clear_json(r#"{"connectorId":3}"#), (Unknown, vec![1, 2, 3, 4, 5]));
        assert_eq!(clear_json("{}"), (Accepted, vec![]));
        assert_eq!(ProfileStore::new().clear(None, None, None, None), Unknown);
    }

    #[test]
    fn same_id_or_same_slot_replaces() {
        let mut store = five();
        // Id 4 moves from connector 2 to connector 1 (and takes no other slot).
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":4,"stackLevel":3,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":7}]}}}"#,
            None,
        );
        assert_eq!(store.len(), 5);
        assert_eq!(store.iter().filter(|ip| ip.connector == 2).count(), 0);
        // A new id in the slot (connector 1, TxDefaultProfile, 1) replaces id 3.
        set(
            &mut store,
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":30,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":9}]}}}"#,
            None,
        );
        let ids: Vec<i32> = store.iter().map(|ip| ip.profile.charging_profile_id).collect();
        assert_eq!(ids, [1, 2, 5, 4, 30]);
        // The same slot on another connector is another slot.
        set(
            &mut store,
            r#"{"connectorId":2,"csChargingProfiles":{"chargingProfileId":31,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":9}]}}}"#,
            None,
        );
        assert_eq!(store.len(), 6);
    }

    #[test]
    fn max_profiles_installed() {
        let limits = SmartChargingLimits {
            max_profiles: 2,
            ..LIMITS
        };
        let mut store = ProfileStore::new();
        let profile = |id: i32, level: i32| {
            req(&alloc::format!(
                r#"{{"connectorId":1,"csChargingProfiles":{{"chargingProfileId":{id},"stackLevel":{level},"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{{"chargingRateUnit":"A","chargingSchedulePeriod":[{{"startPeriod":0,"limit":16}}]}}}}}}"#
            ))
            .cs_charging_profiles
        };
        assert_eq!(
            store.install(1, profile(1, 0), None, &limits),
            ChargingProfileStatus::Accepted
        );
        assert_eq!(
            store.install(1, profile(2, 1), None, &limits),
            ChargingProfileStatus::Accepted
        );
        assert_eq!(
            store.install(1, profile(3, 2), None, &limits),
            ChargingProfileStatus::Rejected
        );
        assert_eq!(
            store.try_install(1, profile(3, 2), None, &limits),
            Err(ProfileError::TooMany)
        );
        // Replacing needs no room.
        assert_eq!(
            store.install(1, profile(2, 2), None, &limits),
            ChargingProfileStatus::Accepted
        );
        assert_eq!(
            store.install(1, profile(4, 0), None, &limits),
            ChargingProfileStatus::Accepted
        );
        let ids: Vec<i32> = store.iter().map(|ip| ip.profile.charging_profile_id).collect();
        assert_eq!(ids, [2, 4]);
    }

    /// A TxDefaultProfile on connector 1 with `fields` spliced into csChargingProfiles and
    /// `schedule` into chargingSchedule.
    fn with(fields: &str, schedule: &str) -> String {
        alloc::format!(
            r#"{{"connectorId":1,"csChargingProfiles":{{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",{fields}"chargingSchedule":{{{schedule}"chargingRateUnit":"A","chargingSchedulePeriod":[{{"startPeriod":0,"limit":16}},{{"startPeriod":60,"limit":8}}]}}}}}}"#
        )
    }

    #[test]
    fn set_charging_profile_rejections() {
        use ProfileError::*;
        let cpmax_on_1 = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#;
        assert_eq!(refuse(cpmax_on_1, None, &LIMITS), WrongConnector);
        let tx_on_0 = r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#;
        assert_eq!(refuse(tx_on_0, Some(1), &LIMITS), WrongConnector);
        let tx_5 = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"transactionId":5,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}"#;
        assert_eq!(refuse(tx_5, None, &LIMITS), NoTransaction);
        assert_eq!(refuse(tx_5, Some(6), &LIMITS), TransactionMismatch);
        set(&mut ProfileStore::new(), tx_5, Some(5));

        assert_eq!(
            refuse(
                &with("", "").replace(r#""stackLevel":0"#, r#""stackLevel":9"#),
                None,
                &LIMITS
            ),
            StackLevel
        );
        assert_eq!(
            refuse(
                &with("", "").replace(r#""stackLevel":0"#, r#""stackLevel":-1"#),
                None,
                &LIMITS
            ),
            StackLevel
        );
        set(
            &mut ProfileStore::new(),
            &with("", "").replace(r#""stackLevel":0"#, r#""stackLevel":8"#),
            None,
        );

        let one_period = SmartChargingLimits {
            max_periods: 1,
            ..LIMITS
        };
        assert_eq!(refuse(&with("", ""), None, &one_period), PeriodCount);
        let none = with("", "").replace(r#"{"startPeriod":0,"limit":16},{"startPeriod":60,"limit":8}"#, "");
        assert_eq!(refuse(&none, None, &LIMITS), PeriodCount);
        assert_eq!(
            refuse(
                &with("", "").replace(r#""startPeriod":0"#, r#""startPeriod":30"#),
                None,
                &LIMITS
            ),
            PeriodOrder
        );
        assert_eq!(
            refuse(
                &with("", "").replace(r#""startPeriod":60"#, r#""startPeriod":0"#),
                None,
                &LIMITS
            ),
            PeriodOrder
        );
        assert_eq!(
            refuse(
                &with("", "").replace(r#""startPeriod":60"#, r#""startPeriod":-60"#),
                None,
                &LIMITS
            ),
            PeriodOrder
        );

        let amps_only = SmartChargingLimits {
            allow_watts: false,
            ..LIMITS
        };
        assert_eq!(refuse(EVCC_OFF, None, &amps_only), Unit);
        let watts_only = SmartChargingLimits {
            allow_amps: false,
            ..LIMITS
        };
        assert_eq!(refuse(&with("", ""), None, &watts_only), Unit);

        assert_eq!(
            refuse(&with("", "").replace(r#""limit":8"#, r#""limit":-0.1"#), None, &LIMITS),
            NegativeLimit
        );
        assert_eq!(
            refuse(&with("", r#""minChargingRate":-1,"#), None, &LIMITS),
            NegativeLimit
        );
        assert_eq!(
            refuse(
                &with("", "").replace(r#""limit":8"#, r#""limit":8,"numberPhases":4"#),
                None,
                &LIMITS
            ),
            NumberPhases
        );
        assert_eq!(
            refuse(
                &with("", "").replace(r#""limit":8"#, r#""limit":8,"numberPhases":0"#),
                None,
                &LIMITS
            ),
            NumberPhases
        );
        assert_eq!(refuse(&with("", r#""duration":-1,"#), None, &LIMITS), Duration);

        let relative = with("", r#""startSchedule":"2026-03-01T00:00:00Z","#).replace("Absolute", "Relative");
        assert_eq!(refuse(&relative, None, &LIMITS), StartSchedule);
        let recurring = with(r#""recurrencyKind":"Daily","#, "").replace("Absolute", "Recurring");
        assert_eq!(refuse(&recurring, None, &LIMITS), StartSchedule);
        let no_kind = with("", r#""startSchedule":"2026-03-01T00:00:00Z","#).replace("Absolute", "Recurring");
        assert_eq!(refuse(&no_kind, None, &LIMITS), RecurrencyKind);
        let backwards = with(
            r#""validFrom":"2026-03-01T00:00:00Z","validTo":"2026-03-01T00:00:00Z","#,
            "",
        );
        assert_eq!(refuse(&backwards, None, &LIMITS), Validity);

        // install() says Rejected and leaves the store alone.
        let mut store = ProfileStore::new();
        set(&mut store, EVCC_OFF, None);
        let r = req(cpmax_on_1);
        assert_eq!(
            store.install(r.connector_id, r.cs_charging_profiles, None, &LIMITS),
            ChargingProfileStatus::Rejected
        );
        assert_eq!(store.len(), 1);
        assert_eq!(alloc::format!("{}", Validity), "validTo not after validFrom");
    }

    #[test]
    fn remote_start_profile_waits_for_its_transaction() {
        let mut store = ProfileStore::new();
        set(&mut store, EVCC_OFF, None);
        let profile = |json: &str| crate::json::from_str::<ChargingProfile>(json).unwrap();
        let tx = profile(
            r#"{"chargingProfileId":3,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10}]}}"#,
        );
        assert_eq!(
            store.install_remote_start(0, tx.clone(), &LIMITS),
            Err(ProfileError::WrongConnector)
        );
        let mut with_id = tx.clone();
        with_id.transaction_id = Some(1);
        assert_eq!(
            store.install_remote_start(1, with_id, &LIMITS),
            Err(ProfileError::NotRemoteStartProfile)
        );
        let mut default = tx.clone();
        default.charging_profile_purpose = ChargingProfilePurposeType::TxDefaultProfile;
        assert_eq!(
            store.install_remote_start(1, default, &LIMITS),
            Err(ProfileError::NotRemoteStartProfile)
        );
        assert_eq!(store.install_remote_start(1, tx, &LIMITS), Ok(()));
        let now = dt("2026-03-01T12:00:00Z");
        assert_eq!(store.limit(1, now, None, &ONE), lim(0.0, 0.0, None));
        assert_eq!(store.limit(1, now, Some(now), &ONE), lim(10.0, 2300.0, None));
        // The remote start came to nothing.
        assert!(store.transaction_ended(1));
        assert_eq!(store.limit(1, now, Some(now), &ONE), lim(0.0, 0.0, None));
    }

    #[test]
    fn profiles_survive_a_reboot() {
        let store = mixed_units();
        let saved = crate::json::to_string(&store.iter().cloned().collect::<Vec<_>>());
        assert!(
            saved.starts_with(r#"[{"connector":0,"profile":{"chargingProfileId":1,"stackLevel":0,"#),
            "{saved}"
        );
        let mut rebooted = ProfileStore::new();
        rebooted.restore(crate::json::from_str(&saved).unwrap());
        assert_eq!(rebooted.len(), 2);
        assert!(rebooted.iter().eq(store.iter()));
        let start = dt("2026-03-02T05:00:00Z");
        assert_eq!(
            rebooted.composite(1, start, 86400, None, None, &THREE),
            store.composite(1, start, 86400, None, None, &THREE)
        );
        rebooted.restore(Vec::new());
        assert!(rebooted.is_empty());
    }

    #[test]
    fn restored_nonsense_does_not_panic() {
        // Persisted data is not re-checked: evaluation must stay total on anything.
        let mut store = ProfileStore::new();
        store.restore(vec![
            crate::json::from_str(r#"{"connector":1,"profile":{"chargingProfileId":1,"stackLevel":-5,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","chargingSchedule":{"duration":-9,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":2147483647,"limit":-4,"numberPhases":-1},{"startPeriod":-2147483648,"limit":5}]}}}"#).unwrap(),
            crate::json::from_str(r#"{"connector":0,"profile":{"chargingProfileId":2,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Recurring","recurrencyKind":"Weekly","chargingSchedule":{"startSchedule":"9999-12-31T23:59:59Z","chargingRateUnit":"A","chargingSchedulePeriod":[]}}}"#).unwrap(),
        ]);
        for t in [
            DateTime::from_unix_millis(i64::MIN),
            DateTime::UNIX_EPOCH,
            DateTime::from_unix_millis(i64::MAX),
        ] {
            for tx in [None, Some(t), Some(DateTime::from_unix_millis(i64::MIN))] {
                let _ = store.limit(1, t, tx, &THREE);
                let _ = store.next_change(1, t, tx);
                let _ = store.composite(1, t, i32::MAX, None, tx, &THREE);
            }
        }
        assert_eq!(store.limit(1, DateTime::UNIX_EPOCH, None, &THREE), None);
    }
}
