//! FirmwareStatusNotification (1.6 §4.5): progress of a firmware update.

use serde::{Deserialize, Serialize};

use crate::messages::types::FirmwareStatus;

/// FirmwareStatusNotification.req (1.6 §6.19), charge point to central system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirmwareStatusNotificationReq {
    /// The update's state.
    pub status: FirmwareStatus,
}

/// FirmwareStatusNotification.conf (1.6 §6.20); no fields, lenient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmwareStatusNotificationConf {}

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
