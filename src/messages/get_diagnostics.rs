//! GetDiagnostics (1.6 §5.9): the central system asks for a diagnostics file to be
//! uploaded to a URL.

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::messages::types::CiString255;
use crate::time::DateTime;

/// GetDiagnostics.req (1.6 §6.25), central system to charge point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsReq {
    /// Where to upload (a URI, typically ftp:// or http(s)://; not validated).
    pub location: String,
    /// How many times to retry a failed upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds between retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    /// The oldest logging to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime>,
    /// The newest logging to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<DateTime>,
}

/// GetDiagnostics.conf (1.6 §6.26).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsConf {
    /// The name of the file that will be uploaded; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<CiString255>,
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
