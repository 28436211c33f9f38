//! Heartbeat (1.6 §4.6): the charge point shows it is alive and learns the time.

use crate::time::DateTime;

json_object! {
    /// Heartbeat.req (1.6 §6.29), charge point to central system; no fields.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct HeartbeatReq {
    }
}
json_object! {
    /// Heartbeat.conf (1.6 §6.30); lenient: unknown fields from the central system are ignored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct HeartbeatConf [lenient] {
        /// The central system's clock.
        req current_time: DateTime = "currentTime",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use alloc::string::ToString;

    #[test]
    fn round_trips() {
        let _: HeartbeatReq = round_trip("{}");
        assert_eq!(crate::json::to_string(&HeartbeatReq {}), "{}");
        let conf: HeartbeatConf = round_trip(r#"{"currentTime":"2026-03-01T12:34:56.789Z"}"#);
        assert_eq!(conf.current_time.seconds_of_day(), 12 * 3600 + 34 * 60 + 56);
    }

    #[test]
    fn confirmation_is_lenient_about_fields_not_time() {
        let conf: HeartbeatConf =
            crate::json::from_str(r#"{"currentTime":"2026-03-01T13:34:56+01:00","serverName":"steve"}"#).unwrap();
        assert_eq!(conf.current_time.to_string(), "2026-03-01T12:34:56Z");
        assert_rejects::<HeartbeatConf>(r#"{"currentTime":1772368496}"#, "invalid type: integer");
        assert_rejects::<HeartbeatConf>("{}", "missing field `currentTime`");
    }
}
