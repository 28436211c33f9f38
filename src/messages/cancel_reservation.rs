//! CancelReservation (1.6 §5.1): the central system cancels a reservation.

use crate::messages::types::CancelReservationStatus;

json_object! {
    /// CancelReservation.req (1.6 §6.5), central system to charge point.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct CancelReservationReq {
        /// The reservation to cancel.
        req reservation_id: i32 = "reservationId",
    }
}

json_object! {
    /// CancelReservation.conf (1.6 §6.6).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct CancelReservationConf {
        /// Whether it was cancelled.
        req status: CancelReservationStatus = "status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    #[test]
    fn round_trips() {
        let req: CancelReservationReq = round_trip(r#"{"reservationId":1742}"#);
        assert_eq!(req.reservation_id, 1742);
        let conf: CancelReservationConf = round_trip(r#"{"status":"Rejected"}"#);
        assert_eq!(conf.status, CancelReservationStatus::Rejected);
    }

    #[test]
    fn rejections() {
        assert_rejects::<CancelReservationReq>(r#"{"reservationId":1.5}"#, "invalid type: floating point");
        assert_rejects::<CancelReservationReq>(r#"{"reservationId":2147483648}"#, "invalid value: integer");
        assert_rejects::<CancelReservationReq>(r#"{"reservationId":1,"connectorId":1}"#, "unknown field `connectorId`");
    }
}
