//! StopTransaction (1.6 §4.10): the charge point reports that a transaction ended.

use alloc::vec::Vec;

use crate::messages::types::{CiString20, IdTagInfo, MeterValue, Reason};
use crate::time::DateTime;

json_object! {
    /// StopTransaction.req (1.6 §6.49), charge point to central system.
    ///
    /// The schema's unit list for `transactionData` lacks `Hertz`: do not put Frequency
    /// samples in it.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct StopTransactionReq {
        /// The idTag that stopped it, if one did.
        opt id_tag: CiString20 = "idTag",
        /// The energy register at the end, in Wh.
        req meter_stop: i32 = "meterStop",
        /// When it ended.
        req timestamp: DateTime = "timestamp",
        /// The transaction (as StartTransaction.conf gave it).
        req transaction_id: i32 = "transactionId",
        /// Why it ended (default Local).
        opt reason: Reason = "reason",
        /// Meter values collected during the transaction (StopTxnSampledData/StopTxnAlignedData).
        opt transaction_data: Vec<MeterValue> = "transactionData",
    }
}

json_object! {
    /// StopTransaction.conf (1.6 §6.50); lenient: unknown fields from the central system are
    /// ignored.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct StopTransactionConf [lenient] {
        /// The verdict on the idTag that stopped it.
        opt id_tag_info: IdTagInfo = "idTagInfo",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use crate::messages::types::{AuthorizationStatus, ReadingContext};

    #[test]
    fn round_trips() {
        let req: StopTransactionReq = round_trip(
            r#"{"idTag":"04E8A1B2C3D480","meterStop":27134,"timestamp":"2026-03-01T14:00:00Z","transactionId":170,"reason":"EVDisconnected","transactionData":[
                {"timestamp":"2026-03-01T12:00:00Z","sampledValue":[{"value":"15234","context":"Transaction.Begin","unit":"Wh"}]},
                {"timestamp":"2026-03-01T14:00:00Z","sampledValue":[{"value":"27.134","context":"Transaction.End","measurand":"Energy.Active.Import.Register","unit":"kWh"}]}]}"#,
        );
        assert_eq!(req.reason, Some(Reason::EVDisconnected));
        let data = req.transaction_data.unwrap();
        assert_eq!(data.len(), 2);
        let end = data.get(1).and_then(|m| m.sampled_value.first());
        assert_eq!(end.and_then(|s| s.context), Some(ReadingContext::TransactionEnd));
        let minimal: StopTransactionReq =
            round_trip(r#"{"meterStop":0,"timestamp":"2026-03-01T14:00:00Z","transactionId":-1,"reason":"PowerLoss"}"#);
        assert_eq!(minimal.id_tag, None);
        assert_eq!(minimal.transaction_data, None);
        let conf: StopTransactionConf = round_trip(r#"{"idTagInfo":{"status":"Expired"}}"#);
        assert_eq!(conf.id_tag_info.map(|i| i.status), Some(AuthorizationStatus::Expired));
        let empty: StopTransactionConf = round_trip("{}");
        assert_eq!(empty.id_tag_info, None);
    }

    #[test]
    fn rejections() {
        assert_rejects::<StopTransactionReq>(
            r#"{"meterStop":0,"timestamp":"2026-03-01T14:00:00Z","transactionId":1,"reason":"Stopped"}"#,
            "unknown variant `Stopped`",
        );
        assert_rejects::<StopTransactionReq>(
            r#"{"meterStop":0,"timestamp":"2026-03-01T14:00:00Z"}"#,
            "missing field `transactionId`",
        );
    }
}
