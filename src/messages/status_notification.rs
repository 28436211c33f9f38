//! StatusNotification (1.6 §4.9): the charge point reports a connector's state or error.

use crate::messages::types::{ChargePointErrorCode, ChargePointStatus, CiString255, CiString50};
use crate::time::DateTime;

json_object! {
    /// StatusNotification.req (1.6 §6.47), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct StatusNotificationReq {
        /// The connector; 0 is the charge point as a whole.
        req connector_id: u32 = "connectorId",
        /// The error, or NoError.
        req error_code: ChargePointErrorCode = "errorCode",
        /// Free-form detail about the error.
        opt info: CiString50 = "info",
        /// The connector's state.
        req status: ChargePointStatus = "status",
        /// When the state was entered.
        opt timestamp: DateTime = "timestamp",
        /// The vendor of `vendorErrorCode`.
        opt vendor_id: CiString255 = "vendorId",
        /// A vendor-specific error code.
        opt vendor_error_code: CiString50 = "vendorErrorCode",
    }
}

json_object! {
    /// StatusNotification.conf (1.6 §6.48); no fields, lenient.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct StatusNotificationConf [lenient] {
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: StatusNotificationReq = round_trip(
            r#"{"connectorId":1,"errorCode":"EVCommunicationError","info":"CP state E","status":"Faulted","timestamp":"2026-03-01T12:00:00Z","vendorId":"com.example","vendorErrorCode":"E42"}"#,
        );
        assert_eq!(req.error_code, ChargePointErrorCode::EVCommunicationError);
        assert_eq!(req.status, ChargePointStatus::Faulted);
        let plain: StatusNotificationReq =
            round_trip(r#"{"connectorId":0,"errorCode":"NoError","status":"Available"}"#);
        assert_eq!(plain.timestamp, None);
        let _: StatusNotificationConf = round_trip("{}");
    }

    #[test]
    fn rejections() {
        assert_rejects::<StatusNotificationReq>(
            r#"{"connectorId":1,"errorCode":"NoError","status":"Occupied"}"#,
            "unknown variant `Occupied`",
        );
        assert_rejects::<StatusNotificationReq>(
            r#"{"connectorId":1,"status":"Available"}"#,
            "missing field `errorCode`",
        );
        let long_info = alloc::format!(
            r#"{{"connectorId":1,"errorCode":"OtherError","status":"Faulted","info":"{}"}}"#,
            "i".repeat(51)
        );
        assert_rejects::<StatusNotificationReq>(&long_info, "string too long");
    }
}
