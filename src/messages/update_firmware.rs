//! UpdateFirmware (1.6 §5.19): the central system asks the charge point to download
//! and install firmware.

use alloc::string::String;

use crate::time::DateTime;

json_object! {
    /// UpdateFirmware.req (1.6 §6.55), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct UpdateFirmwareReq {
        /// Where to download from (a URI; not validated).
        req location: String = "location",
        /// How many times to retry a failed download.
        opt retries: i32 = "retries",
        /// From when on to download.
        req retrieve_date: DateTime = "retrieveDate",
        /// Seconds between retries.
        opt retry_interval: i32 = "retryInterval",
    }
}

json_object! {
    /// UpdateFirmware.conf (1.6 §6.56); no fields.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct UpdateFirmwareConf {
    }
}
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
