//! RemoteStartTransaction (1.6 §5.11): the central system asks the charge point to start
//! a transaction for an idTag, optionally with a TxProfile for it.

use crate::messages::types::{ChargingProfile, CiString20, RemoteStartStopStatus};

json_object! {
    /// RemoteStartTransaction.req (1.6 §6.33), central system to charge point.
    #[derive(Clone, Debug, PartialEq)]
    pub struct RemoteStartTransactionReq {
        /// The connector to start on (must be > 0 when present); absent: the charge point picks.
        opt connector_id: u32 = "connectorId",
        /// The idTag to start the transaction for.
        req id_tag: CiString20 = "idTag",
        /// A profile for the transaction (purpose TxProfile).
        opt charging_profile: ChargingProfile = "chargingProfile",
    }
}

json_object! {
    /// RemoteStartTransaction.conf (1.6 §6.34).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RemoteStartTransactionConf {
        /// Whether the charge point will try to start.
        req status: RemoteStartStopStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::{ChargingProfileKindType, ChargingProfilePurposeType};

    #[test]
    fn round_trips() {
        let req: RemoteStartTransactionReq = round_trip(r#"{"connectorId":1,"idTag":"evcc"}"#);
        assert_eq!(req.connector_id, Some(1));
        assert_eq!(req.charging_profile, None);
        let with_profile: RemoteStartTransactionReq = round_trip(
            r#"{"idTag":"04E8A1B2C3D480","chargingProfile":{"chargingProfileId":100,"stackLevel":1,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000,"numberPhases":3}]}}}"#,
        );
        let profile = with_profile.charging_profile.unwrap();
        assert_eq!(profile.charging_profile_purpose, ChargingProfilePurposeType::TxProfile);
        assert_eq!(profile.charging_profile_kind, ChargingProfileKindType::Relative);
        let conf: RemoteStartTransactionConf = round_trip(r#"{"status":"Accepted"}"#);
        assert_eq!(conf.status, RemoteStartStopStatus::Accepted);
    }

    #[test]
    fn rejections() {
        assert_rejects::<RemoteStartTransactionReq>(r#"{"connectorId":1}"#, "missing field `idTag`");
        assert_rejects::<RemoteStartTransactionReq>(r#"{"connectorId":-1,"idTag":"A"}"#, "invalid value: integer `-1`");
        // Strict down to the nested profile: an extra field there is refused too.
        assert_rejects::<RemoteStartTransactionReq>(
            r#"{"idTag":"A","chargingProfile":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[]},"note":"x"}}"#,
            "unknown field `note`",
        );
    }
}
