//! UpdateFirmware (1.6 §5.19): the central system asks the charge point to download
//! and install firmware.

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::time::DateTime;

/// UpdateFirmware.req (1.6 §6.55), central system to charge point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFirmwareReq {
    /// Where to download from (a URI; not validated).
    pub location: String,
    /// How many times to retry a failed download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// From when on to download.
    pub retrieve_date: DateTime,
    /// Seconds between retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

/// UpdateFirmware.conf (1.6 §6.56); no fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateFirmwareConf {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: UpdateFirmwareReq = round_trip(
            r#"{"location":"https://fw.example.com/evse/1.4.2.bin","retries":5,"retrieveDate":"2026-03-02T03:00:00Z","retryInterval":300}"#,
        );
        assert_eq!(req.location, "https://fw.example.com/evse/1.4.2.bin");
        assert_eq!(req.retry_interval, Some(300));
        let _: UpdateFirmwareConf = round_trip("{}");
    }

    #[test]
    fn rejections() {
        assert_rejects::<UpdateFirmwareReq>(r#"{"location":"https://x/"}"#, "missing field `retrieveDate`");
        assert_rejects::<UpdateFirmwareReq>(
            r#"{"location":"https://x/","retrieveDate":"2026-03-02T03:00:00Z","checksum":"abc"}"#,
            "unknown field `checksum`",
        );
    }
}
