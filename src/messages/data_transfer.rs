//! DataTransfer (1.6 §4.3 and §5.6): vendor-specific messages, in either direction.

use alloc::string::String;

use crate::messages::types::{CiString255, CiString50, DataTransferStatus};

json_object! {
    /// DataTransfer.req (1.6 §6.15), either direction; strict, as a central-system request.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DataTransferReq {
        /// The vendor, ideally a reversed DNS name.
        req vendor_id: CiString255 = "vendorId",
        /// The vendor's message type.
        opt message_id: CiString50 = "messageId",
        /// Free-form data (often JSON as text).
        opt data: String = "data",
    }
}

json_object! {
    /// DataTransfer.conf (1.6 §6.16), either direction; lenient, because the central system
    /// sends it in answer to ours.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DataTransferConf [lenient] {
        /// Whether the message was understood and handled.
        req status: DataTransferStatus = "status",
        /// Free-form answer data.
        opt data: String = "data",
    }
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
        let conf: DataTransferConf = crate::json::from_str(r#"{"status":"Rejected","reason":"busy"}"#).unwrap();
        assert_eq!(conf.status, DataTransferStatus::Rejected);
    }
}
