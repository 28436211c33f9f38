//! DataTransfer (1.6 §4.3 and §5.6): vendor-specific messages, in either direction.

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::messages::types::{CiString255, CiString50, DataTransferStatus};

/// DataTransfer.req (1.6 §6.15), either direction; strict, as a central-system request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTransferReq {
    /// The vendor, ideally a reversed DNS name.
    pub vendor_id: CiString255,
    /// The vendor's message type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<CiString50>,
    /// Free-form data (often JSON as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// DataTransfer.conf (1.6 §6.16), either direction; lenient, because the central system
/// sends it in answer to ours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTransferConf {
    /// Whether the message was understood and handled.
    pub status: DataTransferStatus,
    /// Free-form answer data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: DataTransferReq =
            round_trip(r#"{"vendorId":"com.example.evse","messageId":"SetLed","data":"{\"color\":\"green\"}"}"#);
        assert_eq!(req.vendor_id, "com.example.evse");
        assert_eq!(req.data.as_deref(), Some(r#"{"color":"green"}"#));
        let conf: DataTransferConf = round_trip(r#"{"status":"UnknownMessageId"}"#);
        assert_eq!(conf.status, DataTransferStatus::UnknownMessageId);
        let conf: DataTransferConf = round_trip(r#"{"status":"Accepted","data":"42"}"#);
        assert_eq!(conf.data.as_deref(), Some("42"));
    }

    #[test]
    fn rejections() {
        // The schema types data as a string; an object is a type error.
        assert_rejects::<DataTransferReq>(r#"{"vendorId":"v","data":{"a":1}}"#, "invalid type: map");
        assert_rejects::<DataTransferReq>(r#"{"messageId":"m"}"#, "missing field `vendorId`");
        assert_rejects::<DataTransferReq>(r#"{"vendorId":"v","vendor":"w"}"#, "unknown field `vendor`");
        let conf: DataTransferConf = serde_json::from_str(r#"{"status":"Rejected","reason":"busy"}"#).unwrap();
        assert_eq!(conf.status, DataTransferStatus::Rejected);
    }
}
