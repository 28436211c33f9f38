//! GetCompositeSchedule (1.6 §5.7): the central system asks for the limits the charge
//! point will apply over the coming `duration` seconds.

use serde::{Deserialize, Serialize};

use crate::messages::types::{ChargingRateUnitType, ChargingSchedule, GetCompositeScheduleStatus};
use crate::time::DateTime;

/// GetCompositeSchedule.req (1.6 §6.21), central system to charge point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleReq {
    /// The connector; 0 asks for the whole charge point's grid connection.
    pub connector_id: u32,
    /// Seconds from now the schedule should cover.
    pub duration: i32,
    /// The unit wanted for the limits (default: the charge point's choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_rate_unit: Option<ChargingRateUnitType>,
}

/// GetCompositeSchedule.conf (1.6 §6.22).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleConf {
    /// Whether a schedule follows.
    pub status: GetCompositeScheduleStatus,
    /// The connector the schedule is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
    /// The start of the schedule's periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_start: Option<DateTime>,
    /// The composite schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_schedule: Option<ChargingSchedule>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: GetCompositeScheduleReq = round_trip(r#"{"connectorId":1,"duration":86400,"chargingRateUnit":"W"}"#);
        assert_eq!(req.charging_rate_unit, Some(ChargingRateUnitType::W));
        let conf: GetCompositeScheduleConf = round_trip(
            r#"{"status":"Accepted","connectorId":1,"scheduleStart":"2026-03-01T12:00:00Z","chargingSchedule":{"duration":86400,"startSchedule":"2026-03-01T12:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16,"numberPhases":3},{"startPeriod":3600,"limit":6.5}],"minChargingRate":6}}"#,
        );
        let schedule = conf.charging_schedule.unwrap();
        let limits: alloc::vec::Vec<f64> = schedule
            .charging_schedule_period
            .iter()
            .map(|p| p.limit.get())
            .collect();
        assert_eq!(limits, [16.0, 6.5]);
        assert_eq!(schedule.min_charging_rate.map(|d| d.get()), Some(6.0));
        let rejected: GetCompositeScheduleConf = round_trip(r#"{"status":"Rejected"}"#);
        assert_eq!(rejected.charging_schedule, None);
    }

    #[test]
    fn rejections() {
        assert_rejects::<GetCompositeScheduleReq>(r#"{"connectorId":1}"#, "missing field `duration`");
        assert_rejects::<GetCompositeScheduleReq>(
            r#"{"connectorId":1,"duration":60,"chargingRateUnit":"kW"}"#,
            "unknown variant `kW`",
        );
        assert_rejects::<GetCompositeScheduleReq>(r#"{"connectorId":"1","duration":60}"#, "invalid type: string \"1\"");
    }
}
