//! ClearChargingProfile (1.6 §5.5): the central system removes charging profiles, by id
//! or by any combination of connector, purpose and stack level.

use crate::messages::types::{ChargingProfilePurposeType, ClearChargingProfileStatus};

json_object! {
    /// ClearChargingProfile.req (1.6 §6.13), central system to charge point. With no field
    /// set, every profile is cleared.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct ClearChargingProfileReq {
        /// The profile's id.
        opt id: i32 = "id",
        /// Only profiles of this connector (0: the charge point's).
        opt connector_id: u32 = "connectorId",
        /// Only profiles of this purpose.
        opt charging_profile_purpose: ChargingProfilePurposeType = "chargingProfilePurpose",
        /// Only profiles of this stack level.
        opt stack_level: i32 = "stackLevel",
    }
}

json_object! {
    /// ClearChargingProfile.conf (1.6 §6.14).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ClearChargingProfileConf {
        /// Whether any profile matched.
        req status: ClearChargingProfileStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: ClearChargingProfileReq =
            round_trip(r#"{"id":12,"connectorId":1,"chargingProfilePurpose":"TxDefaultProfile","stackLevel":2}"#);
        assert_eq!(req.id, Some(12));
        assert_eq!(
            req.charging_profile_purpose,
            Some(ChargingProfilePurposeType::TxDefaultProfile)
        );
        let all: ClearChargingProfileReq = round_trip("{}");
        assert_eq!(all, ClearChargingProfileReq::default());
        let conf: ClearChargingProfileConf = round_trip(r#"{"status":"Unknown"}"#);
        assert_eq!(conf.status, ClearChargingProfileStatus::Unknown);
    }

    #[test]
    fn rejections() {
        assert_rejects::<ClearChargingProfileReq>(r#"{"connectorId":-2}"#, "invalid value: integer `-2`");
        assert_rejects::<ClearChargingProfileReq>(
            r#"{"chargingProfilePurpose":"TxMaxProfile"}"#,
            "unknown variant `TxMaxProfile`",
        );
        assert_rejects::<ClearChargingProfileReq>(r#"{"chargingProfileId":3}"#, "unknown field `chargingProfileId`");
    }
}
