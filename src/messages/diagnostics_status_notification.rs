//! DiagnosticsStatusNotification (1.6 §4.4): progress of a diagnostics upload.

use crate::messages::types::DiagnosticsStatus;

json_object! {
    /// DiagnosticsStatusNotification.req (1.6 §6.17), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DiagnosticsStatusNotificationReq {
        /// The upload's state.
        req status: DiagnosticsStatus = "status",
    }
}

json_object! {
    /// DiagnosticsStatusNotification.conf (1.6 §6.18); no fields, lenient.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct DiagnosticsStatusNotificationConf [lenient] {
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: DiagnosticsStatusNotificationReq = round_trip(r#"{"status":"UploadFailed"}"#);
        assert_eq!(req.status, DiagnosticsStatus::UploadFailed);
        let _: DiagnosticsStatusNotificationConf = round_trip("{}");
        let lenient: Result<DiagnosticsStatusNotificationConf, _> = crate::json::from_str(r#"{"ok":true}"#);
        assert!(lenient.is_ok());
    }

    #[test]
    fn rejections() {
        assert_rejects::<DiagnosticsStatusNotificationReq>(r#"{"status":"Uploded"}"#, "unknown variant `Uploded`");
        assert_rejects::<DiagnosticsStatusNotificationReq>("{}", "missing field `status`");
    }
}
