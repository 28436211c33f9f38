//! GetConfiguration (1.6 §5.8): the central system reads configuration keys.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::messages::types::{CiString50, KeyValue};

/// GetConfiguration.req (1.6 §6.23), central system to charge point.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationReq {
    /// The keys asked for; absent (or empty) asks for every key. At most
    /// [`GET_CONFIGURATION_MAX_KEYS`] (GetConfigurationMaxKeys): a longer list is refused while
    /// it is read, before it costs memory.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "max_keys")]
    pub key: Option<Vec<CiString50>>,
}

/// GetConfigurationMaxKeys (1.6 §9.1.9): the most keys one GetConfiguration may ask for.
pub const GET_CONFIGURATION_MAX_KEYS: usize = 64;

fn max_keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<CiString50>>, D::Error> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<CiString50>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "at most {GET_CONFIGURATION_MAX_KEYS} keys")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut keys = Vec::new();
            while let Some(k) = seq.next_element()? {
                if keys.len() == GET_CONFIGURATION_MAX_KEYS {
                    return Err(serde::de::Error::invalid_length(keys.len() + 1, &self));
                }
                keys.push(k);
            }
            Ok(keys)
        }
    }
    d.deserialize_seq(Keys).map(Some)
}

/// GetConfiguration.conf (1.6 §6.24).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationConf {
    /// The known keys asked for, with their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_key: Option<Vec<KeyValue>>,
    /// The keys asked for that the charge point does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_key: Option<Vec<CiString50>>,
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
