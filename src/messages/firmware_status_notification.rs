//! FirmwareStatusNotification (1.6 §4.5): progress of a firmware update.

use crate::messages::types::FirmwareStatus;

json_object! {
    /// FirmwareStatusNotification.req (1.6 §6.19), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct FirmwareStatusNotificationReq {
        /// The update's state.
        req status: FirmwareStatus = "status",
    }
}

json_object! {
    /// FirmwareStatusNotification.conf (1.6 §6.20); no fields, lenient.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct FirmwareStatusNotificationConf [lenient] {
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        for (json, status) in [
            (r#"{"status":"Downloading"}"#, FirmwareStatus::Downloading),
            (r#"{"status":"InstallationFailed"}"#, FirmwareStatus::InstallationFailed),
            (r#"{"status":"Installed"}"#, FirmwareStatus::Installed),
        ] {
            let req: FirmwareStatusNotificationReq = round_trip(json);
            assert_eq!(req.status, status);
        }
        let _: FirmwareStatusNotificationConf = round_trip("{}");
    }

    #[test]
    fn rejections() {
        assert_rejects::<FirmwareStatusNotificationReq>(
            r#"{"status":"Installing","progress":50}"#,
            "unknown field `progress`",
        );
        assert_rejects::<FirmwareStatusNotificationReq>(r#"{"status":null}"#, "invalid type: null");
    }
}
