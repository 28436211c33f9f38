//! ClearChargingProfile (1.6 §5.5): the central system removes charging profiles, by id
//! or by any combination of connector, purpose and stack level.

use serde::{Deserialize, Serialize};

use crate::messages::types::{ChargingProfilePurposeType, ClearChargingProfileStatus};

/// ClearChargingProfile.req (1.6 §6.13), central system to charge point. With no field
/// set, every profile is cleared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileReq {
    /// The profile's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// Only profiles of this connector (0: the charge point's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<u32>,
    /// Only profiles of this purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_profile_purpose: Option<ChargingProfilePurposeType>,
    /// Only profiles of this stack level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_level: Option<i32>,
}

/// ClearChargingProfile.conf (1.6 §6.14).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileConf {
    /// Whether any profile matched.
    pub status: ClearChargingProfileStatus,
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
