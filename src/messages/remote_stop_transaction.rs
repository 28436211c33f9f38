//! RemoteStopTransaction (1.6 §5.12): the central system asks the charge point to stop
//! a transaction.

use crate::messages::types::RemoteStartStopStatus;

json_object! {
    /// RemoteStopTransaction.req (1.6 §6.35), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RemoteStopTransactionReq {
        /// The transaction to stop.
        req transaction_id: i32 = "transactionId",
    }
}

json_object! {
    /// RemoteStopTransaction.conf (1.6 §6.36).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RemoteStopTransactionConf {
        /// Whether the charge point will stop it.
        req status: RemoteStartStopStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: RemoteStopTransactionReq = round_trip(r#"{"transactionId":-5}"#);
        assert_eq!(req.transaction_id, -5);
        let conf: RemoteStopTransactionConf = round_trip(r#"{"status":"Rejected"}"#);
        assert_eq!(conf.status, RemoteStartStopStatus::Rejected);
    }

    #[test]
    fn rejections() {
        assert_rejects::<RemoteStopTransactionReq>(r#"{"transactionId":"170"}"#, "invalid type: string \"170\"");
        assert_rejects::<RemoteStopTransactionReq>(
            r#"{"transactionId":170,"connectorId":1}"#,
            "unknown field `connectorId`",
        );
    }
}
