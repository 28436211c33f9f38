//! GetCompositeSchedule (1.6 §5.7): the central system asks for the limits the charge
//! point will apply over the coming `duration` seconds.

use crate::messages::types::{ChargingRateUnitType, ChargingSchedule, GetCompositeScheduleStatus};
use crate::time::DateTime;

json_object! {
    /// GetCompositeSchedule.req (1.6 §6.21), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct GetCompositeScheduleReq {
        /// The connector; 0 asks for the whole charge point's grid connection.
        req connector_id: u32 = "connectorId",
        /// Seconds from now the schedule should cover.
        req duration: i32 = "duration",
        /// The unit wanted for the limits (default: the charge point's choice).
        opt charging_rate_unit: ChargingRateUnitType = "chargingRateUnit",
    }
}

json_object! {
    /// GetCompositeSchedule.conf (1.6 §6.22).
    #[derive(Clone, Debug, PartialEq)]
    pub struct GetCompositeScheduleConf {
        /// Whether a schedule follows.
        req status: GetCompositeScheduleStatus = "status",
        /// The connector the schedule is for.
        opt connector_id: u32 = "connectorId",
        /// The start of the schedule's periods.
        opt schedule_start: DateTime = "scheduleStart",
        /// The composite schedule.
        opt charging_schedule: ChargingSchedule = "chargingSchedule",
    }
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
