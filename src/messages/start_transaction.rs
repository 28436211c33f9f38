//! StartTransaction (1.6 §4.8): the charge point reports that a transaction started.

use crate::messages::types::{CiString20, IdTagInfo};
use crate::time::DateTime;

json_object! {
    /// StartTransaction.req (1.6 §6.45), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct StartTransactionReq {
        /// The connector (> 0).
        req connector_id: u32 = "connectorId",
        /// The idTag that started it.
        req id_tag: CiString20 = "idTag",
        /// The energy register at the start, in Wh.
        req meter_start: i32 = "meterStart",
        /// The reservation this transaction ends.
        opt reservation_id: i32 = "reservationId",
        /// When it started.
        req timestamp: DateTime = "timestamp",
    }
}

json_object! {
    /// StartTransaction.conf (1.6 §6.46); lenient: unknown fields from the central system are
    /// ignored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct StartTransactionConf [lenient] {
        /// The verdict on the idTag.
        req id_tag_info: IdTagInfo = "idTagInfo",
        /// The transaction's id, for every later message about it.
        req transaction_id: i32 = "transactionId",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::AuthorizationStatus;

    #[test]
    fn round_trips() {
        let req: StartTransactionReq = round_trip(
            r#"{"connectorId":1,"idTag":"04E8A1B2C3D480","meterStart":15234,"reservationId":77,"timestamp":"2026-03-01T12:00:00.250Z"}"#,
        );
        assert_eq!(req.meter_start, 15_234);
        assert_eq!(req.timestamp.unix_millis() % 1000, 250);
        let conf: StartTransactionConf =
            round_trip(r#"{"idTagInfo":{"status":"ConcurrentTx","parentIdTag":"FLEET01"},"transactionId":170}"#);
        assert_eq!(conf.transaction_id, 170);
        assert_eq!(conf.id_tag_info.status, AuthorizationStatus::ConcurrentTx);
    }

    #[test]
    fn rejections() {
        assert_rejects::<StartTransactionReq>(
            r#"{"connectorId":1,"idTag":"A","meterStart":15234.5,"timestamp":"2026-03-01T12:00:00Z"}"#,
            "invalid type: floating point `15234.5`, expected i32",
        );
        assert_rejects::<StartTransactionConf>(
            r#"{"idTagInfo":{"status":"Accepted"}}"#,
            "missing field `transactionId`",
        );
        let extra: StartTransactionConf =
            crate::json::from_str(r#"{"idTagInfo":{"status":"Accepted"},"transactionId":1,"tariff":"cheap"}"#).unwrap();
        assert_eq!(extra.transaction_id, 1);
    }
}
