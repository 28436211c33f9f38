//! ChangeConfiguration (1.6 §5.3): the central system sets a configuration key.

use crate::messages::types::{CiString50, CiString500, ConfigurationStatus};

json_object! {
    /// ChangeConfiguration.req (1.6 §6.9), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ChangeConfigurationReq {
        /// The key (compared case-insensitively, 1.6 §9).
        req key: CiString50 = "key",
        /// The new value, as text.
        req value: CiString500 = "value",
    }
}

json_object! {
    /// ChangeConfiguration.conf (1.6 §6.10).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ChangeConfigurationConf {
        /// Whether it changed.
        req status: ConfigurationStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: ChangeConfigurationReq = round_trip(
            r#"{"key":"MeterValuesSampledData","value":"Energy.Active.Import.Register,Power.Active.Import,Current.Import"}"#,
        );
        assert!(req.key.eq_ignore_case("metervaluessampleddata"));
        assert!(req.value.starts_with("Energy.Active.Import.Register,"));
        let conf: ChangeConfigurationConf = round_trip(r#"{"status":"RebootRequired"}"#);
        assert_eq!(conf.status, ConfigurationStatus::RebootRequired);
    }

    #[test]
    fn rejections() {
        // evcc sends numbers as strings; a bare number is a type error.
        assert_rejects::<ChangeConfigurationReq>(
            r#"{"key":"WebSocketPingInterval","value":30}"#,
            "invalid type: integer `30`",
        );
        let long_key = alloc::format!(r#"{{"key":"{}","value":"1"}}"#, "K".repeat(51));
        assert_rejects::<ChangeConfigurationReq>(&long_key, "string too long");
        let long_value = alloc::format!(r#"{{"key":"K","value":"{}"}}"#, "v".repeat(501));
        assert_rejects::<ChangeConfigurationReq>(&long_value, "string too long");
        assert_rejects::<ChangeConfigurationReq>(r#"{"value":"1"}"#, "missing field `key`");
    }
}
