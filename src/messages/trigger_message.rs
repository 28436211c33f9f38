//! TriggerMessage (1.6 §5.17): the central system asks the charge point to send a
//! message now.

use crate::messages::types::{MessageTrigger, TriggerMessageStatus};

json_object! {
    /// TriggerMessage.req (1.6 §6.51), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct TriggerMessageReq {
        /// The message wanted.
        req requested_message: MessageTrigger = "requestedMessage",
        /// The connector it is about (for MeterValues and StatusNotification).
        opt connector_id: u32 = "connectorId",
    }
}

json_object! {
    /// TriggerMessage.conf (1.6 §6.52).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct TriggerMessageConf {
        /// Whether the message will be sent.
        req status: TriggerMessageStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: TriggerMessageReq = round_trip(r#"{"requestedMessage":"StatusNotification","connectorId":2}"#);
        assert_eq!(req.requested_message, MessageTrigger::StatusNotification);
        assert_eq!(req.connector_id, Some(2));
        let conf: TriggerMessageConf = round_trip(r#"{"status":"NotImplemented"}"#);
        assert_eq!(conf.status, TriggerMessageStatus::NotImplemented);
    }

    #[test]
    fn rejections() {
        // Only the six messages of 1.6 §7.32; security-extension triggers are not among them.
        assert_rejects::<TriggerMessageReq>(
            r#"{"requestedMessage":"SignChargePointCertificate"}"#,
            "unknown variant `SignChargePointCertificate`",
        );
        assert_rejects::<TriggerMessageReq>(
            r#"{"requestedMessage":"Heartbeat","connectorId":-1}"#,
            "invalid value: integer `-1`, expected u32",
        );
    }
}
