//! ChangeAvailability (1.6 §5.2): the central system makes a connector (or, with
//! connector 0, the whole charge point) operative or inoperative.

use crate::messages::types::{AvailabilityStatus, AvailabilityType};

json_object! {
    /// ChangeAvailability.req (1.6 §6.7), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ChangeAvailabilityReq {
        /// The connector; 0 is the whole charge point.
        req connector_id: u32 = "connectorId",
        /// The availability asked for.
        req r#type: AvailabilityType = "type",
    }
}

json_object! {
    /// ChangeAvailability.conf (1.6 §6.8).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ChangeAvailabilityConf {
        /// Whether (and when) it changes.
        req status: AvailabilityStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: ChangeAvailabilityReq = round_trip(r#"{"connectorId":0,"type":"Inoperative"}"#);
        assert_eq!(req.connector_id, 0);
        assert_eq!(req.r#type, AvailabilityType::Inoperative);
        let conf: ChangeAvailabilityConf = round_trip(r#"{"status":"Scheduled"}"#);
        assert_eq!(conf.status, AvailabilityStatus::Scheduled);
    }

    #[test]
    fn rejections() {
        assert_rejects::<ChangeAvailabilityReq>(
            r#"{"connectorId":-1,"type":"Operative"}"#,
            "invalid value: integer `-1`, expected u32",
        );
        assert_rejects::<ChangeAvailabilityReq>(
            r#"{"connectorId":1,"type":"Available"}"#,
            "unknown variant `Available`",
        );
        assert_rejects::<ChangeAvailabilityReq>(r#"{"connectorId":1}"#, "missing field `type`");
        assert_rejects::<ChangeAvailabilityReq>(
            r#"{"connectorId":1,"type":"Operative","reason":"x"}"#,
            "unknown field `reason`",
        );
    }
}
