//! ReserveNow (1.6 §5.13): the central system reserves a connector for an idTag.

use crate::messages::types::{CiString20, ReservationStatus};
use crate::time::DateTime;

json_object! {
    /// ReserveNow.req (1.6 §6.37), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ReserveNowReq {
        /// The connector; 0 reserves any connector (ReserveConnectorZeroSupported).
        req connector_id: u32 = "connectorId",
        /// When the reservation ends.
        req expiry_date: DateTime = "expiryDate",
        /// The idTag it is for.
        req id_tag: CiString20 = "idTag",
        /// A parent idTag whose children may also use it.
        opt parent_id_tag: CiString20 = "parentIdTag",
        /// The reservation's id (replaces an existing reservation with the same id).
        req reservation_id: i32 = "reservationId",
    }
}

json_object! {
    /// ReserveNow.conf (1.6 §6.38).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ReserveNowConf {
        /// Whether it is reserved, or why not.
        req status: ReservationStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use alloc::string::ToString;

    #[test]
    fn round_trips() {
        let req: ReserveNowReq = round_trip(
            r#"{"connectorId":2,"expiryDate":"2026-03-01T13:00:00Z","idTag":"04E8A1B2C3D480","parentIdTag":"FLEET01","reservationId":77}"#,
        );
        assert_eq!(req.reservation_id, 77);
        assert_eq!(req.expiry_date.to_string(), "2026-03-01T13:00:00Z");
        let conf: ReserveNowConf = round_trip(r#"{"status":"Faulted"}"#);
        assert_eq!(conf.status, ReservationStatus::Faulted);
    }

    #[test]
    fn rejections() {
        assert_rejects::<ReserveNowReq>(
            r#"{"connectorId":2,"expiryDate":"2026-03-01T13:00:00Z","idTag":"A","reservationId":77,"parentIdTag":"123456789012345678901"}"#,
            "string too long",
        );
        assert_rejects::<ReserveNowReq>(
            r#"{"connectorId":2,"idTag":"A","reservationId":77}"#,
            "missing field `expiryDate`",
        );
    }
}
