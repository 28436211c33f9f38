//! UnlockConnector (1.6 §5.18): the central system asks the charge point to unlock a
//! connector's cable lock.

use serde::{Deserialize, Serialize};

use crate::messages::types::UnlockStatus;

/// UnlockConnector.req (1.6 §6.53), central system to charge point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorReq {
    /// The connector (> 0).
    pub connector_id: u32,
}

/// UnlockConnector.conf (1.6 §6.54).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorConf {
    /// Whether it was unlocked.
    pub status: UnlockStatus,
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
