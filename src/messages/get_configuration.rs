//! GetConfiguration (1.6 §5.8): the central system reads configuration keys.

use alloc::vec::Vec;

use crate::json::{self, Reader};
use crate::messages::types::{CiString50, KeyValue};

json_object! {
    /// GetConfiguration.req (1.6 §6.23), central system to charge point.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct GetConfigurationReq {
        /// The keys asked for; absent (or empty) asks for every key. At most
        /// [`GET_CONFIGURATION_MAX_KEYS`] (GetConfigurationMaxKeys): a longer list is refused while
        /// it is read, before it costs memory.
        opt key: Vec<CiString50> = "key" with max_keys,
    }
}

/// GetConfigurationMaxKeys (1.6 §9.1.9): the most keys one GetConfiguration may ask for.
pub const GET_CONFIGURATION_MAX_KEYS: usize = 64;

fn max_keys(r: &mut Reader<'_>) -> Result<Vec<CiString50>, json::Error> {
    json::read_vec(r, GET_CONFIGURATION_MAX_KEYS)
}

json_object! {
    /// GetConfiguration.conf (1.6 §6.24).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct GetConfigurationConf {
        /// The known keys asked for, with their values.
        opt configuration_key: Vec<KeyValue> = "configurationKey",
        /// The keys asked for that the charge point does not know.
        opt unknown_key: Vec<CiString50> = "unknownKey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: GetConfigurationReq = round_trip(r#"{"key":["HeartbeatInterval","MeterValueSampleInterval","Foo"]}"#);
        assert_eq!(req.key.as_ref().map(Vec::len), Some(3));
        let all: GetConfigurationReq = round_trip("{}");
        assert_eq!(all.key, None);
        // An empty list is kept apart from a missing one (both ask for every key).
        let empty: GetConfigurationReq = round_trip(r#"{"key":[]}"#);
        assert_eq!(empty.key, Some(Vec::new()));
        let conf: GetConfigurationConf = round_trip(
            r#"{"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"},{"key":"NumberOfConnectors","readonly":true,"value":"1"},{"key":"AuthorizationKey","readonly":false}],"unknownKey":["Foo"]}"#,
        );
        assert_eq!(conf.configuration_key.as_ref().map(Vec::len), Some(3));
        let unknown = conf.unknown_key.unwrap();
        assert_eq!(unknown.first().map(|k| k.as_str()), Some("Foo"));
        let nothing: GetConfigurationConf = round_trip("{}");
        assert_eq!(nothing, GetConfigurationConf::default());
    }

    #[test]
    fn rejections() {
        let long = alloc::format!(r#"{{"key":["{}"]}}"#, "k".repeat(51));
        assert_rejects::<GetConfigurationReq>(&long, "string too long");
        assert_rejects::<GetConfigurationReq>(r#"{"key":"HeartbeatInterval"}"#, "invalid type: string");
        assert_rejects::<GetConfigurationReq>(r#"{"keys":[]}"#, "unknown field `keys`");
    }
}
