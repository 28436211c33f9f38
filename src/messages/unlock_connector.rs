//! UnlockConnector (1.6 §5.18): the central system asks the charge point to unlock a
//! connector's cable lock.

use crate::messages::types::UnlockStatus;

json_object! {
    /// UnlockConnector.req (1.6 §6.53), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct UnlockConnectorReq {
        /// The connector (> 0).
        req connector_id: u32 = "connectorId",
    }
}

json_object! {
    /// UnlockConnector.conf (1.6 §6.54).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct UnlockConnectorConf {
        /// Whether it was unlocked.
        req status: UnlockStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: UnlockConnectorReq = round_trip(r#"{"connectorId":1}"#);
        assert_eq!(req.connector_id, 1);
        let conf: UnlockConnectorConf = round_trip(r#"{"status":"UnlockFailed"}"#);
        assert_eq!(conf.status, UnlockStatus::UnlockFailed);
    }

    #[test]
    fn rejections() {
        assert_rejects::<UnlockConnectorReq>(r#"{"connectorId":-1}"#, "invalid value: integer `-1`, expected u32");
        assert_rejects::<UnlockConnectorReq>(r#"{"connectorId":4294967296}"#, "invalid value: integer `4294967296`");
        assert_rejects::<UnlockConnectorReq>("{}", "missing field `connectorId`");
    }
}
