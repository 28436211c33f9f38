//! SetChargingProfile (1.6 §5.16): the central system installs a charging profile.

use crate::messages::types::{ChargingProfile, ChargingProfileStatus};

json_object! {
    /// SetChargingProfile.req (1.6 §6.43), central system to charge point.
    #[derive(Clone, Debug, PartialEq)]
    pub struct SetChargingProfileReq {
        /// The connector; 0 for ChargePointMaxProfile or a TxDefaultProfile for all connectors.
        req connector_id: u32 = "connectorId",
        /// The profile (the JSON name is plural, the value is one profile).
        req cs_charging_profiles: ChargingProfile = "csChargingProfiles",
    }
}

json_object! {
    /// SetChargingProfile.conf (1.6 §6.44).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SetChargingProfileConf {
        /// Whether the profile was installed.
        req status: ChargingProfileStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::{ChargingRateUnitType, RecurrencyKindType};

    #[test]
    fn round_trips() {
        // evcc disables charging with a 0 W limit.
        let off: SetChargingProfileReq = round_trip(
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":0}]}}}"#,
        );
        let period = off
            .cs_charging_profiles
            .charging_schedule
            .charging_schedule_period
            .first()
            .unwrap();
        assert_eq!(period.limit.get(), 0.0);
        let daily: SetChargingProfileReq = round_trip(
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":7,"transactionId":170,"stackLevel":2,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","validFrom":"2026-01-01T00:00:00Z","validTo":"2027-01-01T00:00:00Z","chargingSchedule":{"duration":86400,"startSchedule":"2026-01-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10.5,"numberPhases":1},{"startPeriod":28800,"limit":32}],"minChargingRate":6.1}}}"#,
        );
        let p = &daily.cs_charging_profiles;
        assert_eq!(p.recurrency_kind, Some(RecurrencyKindType::Daily));
        assert_eq!(p.charging_schedule.charging_rate_unit, ChargingRateUnitType::A);
        assert_eq!(p.charging_schedule.duration, Some(86_400));
        let conf: SetChargingProfileConf = round_trip(r#"{"status":"NotSupported"}"#);
        assert_eq!(conf.status, ChargingProfileStatus::NotSupported);
    }

    #[test]
    fn a_float_limit_without_fraction_goes_out_as_an_integer() {
        let req: SetChargingProfileReq = crate::json::from_str(
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0}]}}}"#,
        )
        .unwrap();
        let out = crate::json::to_string(&req);
        assert!(out.contains(r#""limit":16}"#), "{out}");
    }

    #[test]
    fn rejections() {
        assert_rejects::<SetChargingProfileReq>(
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":"16"}]}}}"#,
            "invalid type: string \"16\", expected a finite number",
        );
        assert_rejects::<SetChargingProfileReq>(
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0}]}}}"#,
            "missing field `limit`",
        );
        assert_rejects::<SetChargingProfileReq>(
            r#"{"connectorId":1,"chargingProfile":{}}"#,
            "unknown field `chargingProfile`",
        );
        assert_rejects::<SetChargingProfileReq>(
            r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Weekly","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[]}}}"#,
            "unknown variant `Weekly`",
        );
    }
}
