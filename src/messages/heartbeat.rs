//! Heartbeat (1.6 §4.6): the charge point shows it is alive and learns the time.

use serde::{Deserialize, Serialize};

use crate::time::DateTime;

/// Heartbeat.req (1.6 §6.29), charge point to central system; no fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatReq {}

/// Heartbeat.conf (1.6 §6.30); lenient: unknown fields from the central system are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatConf {
    /// The central system's clock.
    pub current_time: DateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use alloc::string::ToString;

    #[test]
    fn round_trips() {
        let _: HeartbeatReq = round_trip("{}");
        assert_eq!(serde_json::to_string(&HeartbeatReq {}).unwrap(), "{}");
        let conf: HeartbeatConf = round_trip(r#"{"currentTime":"2026-03-01T12:34:56.789Z"}"#);
        assert_eq!(conf.current_time.seconds_of_day(), 12 * 3600 + 34 * 60 + 56);
    }

    #[test]
    fn confirmation_is_lenient_about_fields_not_time() {
        let conf: HeartbeatConf =
            serde_json::from_str(r#"{"currentTime":"2026-03-01T13:34:56+01:00","serverName":"steve"}"#).unwrap();
        assert_eq!(conf.current_time.to_string(), "2026-03-01T12:34:56Z");
        assert_rejects::<HeartbeatConf>(r#"{"currentTime":1772368496}"#, "invalid type: integer");
        assert_rejects::<HeartbeatConf>("{}", "missing field `currentTime`");
    }
}
