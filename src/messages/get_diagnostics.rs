//! GetDiagnostics (1.6 §5.9): the central system asks for a diagnostics file to be
//! uploaded to a URL.

use alloc::string::String;

use crate::messages::types::CiString255;
use crate::time::DateTime;

json_object! {
    /// GetDiagnostics.req (1.6 §6.25), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct GetDiagnosticsReq {
        /// Where to upload (a URI, typically ftp:// or http(s)://; not validated).
        req location: String = "location",
        /// How many times to retry a failed upload.
        opt retries: i32 = "retries",
        /// Seconds between retries.
        opt retry_interval: i32 = "retryInterval",
        /// The oldest logging to include.
        opt start_time: DateTime = "startTime",
        /// The newest logging to include.
        opt stop_time: DateTime = "stopTime",
    }
}

json_object! {
    /// GetDiagnostics.conf (1.6 §6.26).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct GetDiagnosticsConf {
        /// The name of the file that will be uploaded; absent when there is none.
        opt file_name: CiString255 = "fileName",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: GetDiagnosticsReq = round_trip(
            r#"{"location":"ftp://user:pw@diag.example.com/uploads/","retries":3,"retryInterval":60,"startTime":"2026-02-01T00:00:00Z","stopTime":"2026-02-02T00:00:00Z"}"#,
        );
        assert_eq!(req.retries, Some(3));
        let span = req.stop_time.zip(req.start_time).map(|(b, a)| b.millis_since(a));
        assert_eq!(span, Some(86_400_000));
        let conf: GetDiagnosticsConf = round_trip(r#"{"fileName":"diag-CP1-20260201.log"}"#);
        assert_eq!(conf.file_name.as_deref(), Some("diag-CP1-20260201.log"));
        let none: GetDiagnosticsConf = round_trip("{}");
        assert_eq!(none.file_name, None);
    }

    #[test]
    fn rejections() {
        assert_rejects::<GetDiagnosticsReq>(r#"{"retries":3}"#, "missing field `location`");
        assert_rejects::<GetDiagnosticsReq>(
            r#"{"location":"ftp://x/","startTime":"yesterday"}"#,
            "invalid value: string \"yesterday\"",
        );
    }
}
