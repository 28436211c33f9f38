//! BootNotification (1.6 §4.2): the charge point registers itself after (re)starting.

use crate::messages::types::{CiString20, CiString25, CiString50, RegistrationStatus};
use crate::time::DateTime;

json_object! {
    /// BootNotification.req (1.6 §6.3), charge point to central system.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct BootNotificationReq {
        /// The charge point's vendor.
        req charge_point_vendor: CiString20 = "chargePointVendor",
        /// The charge point's model.
        req charge_point_model: CiString20 = "chargePointModel",
        /// The charge point's serial number.
        opt charge_point_serial_number: CiString25 = "chargePointSerialNumber",
        /// Deprecated by the spec in favour of `chargePointSerialNumber`.
        opt charge_box_serial_number: CiString25 = "chargeBoxSerialNumber",
        /// The firmware version.
        opt firmware_version: CiString50 = "firmwareVersion",
        /// The modem's SIM card ICCID.
        opt iccid: CiString20 = "iccid",
        /// The modem's SIM card IMSI.
        opt imsi: CiString20 = "imsi",
        /// The main energy meter's type.
        opt meter_type: CiString25 = "meterType",
        /// The main energy meter's serial number.
        opt meter_serial_number: CiString25 = "meterSerialNumber",
    }
}

json_object! {
    /// BootNotification.conf (1.6 §6.4); lenient: unknown fields from the central system are
    /// ignored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct BootNotificationConf [lenient] {
        /// Whether the charge point is registered.
        req status: RegistrationStatus = "status",
        /// The central system's clock.
        req current_time: DateTime = "currentTime",
        /// Accepted: the heartbeat interval in seconds; otherwise: seconds until the next
        /// BootNotification (0: the charge point chooses).
        req interval: i32 = "interval",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};
    use alloc::string::ToString;

    #[test]
    fn request_round_trip() {
        let req: BootNotificationReq = round_trip(
            r#"{"chargePointVendor":"Tuya","chargePointModel":"BK7231N-EVSE","chargePointSerialNumber":"SN-000123","chargeBoxSerialNumber":"CB-000123","firmwareVersion":"esphome-2025.6.0","iccid":"8931440400012345678","imsi":"204043012345678","meterType":"DDS238","meterSerialNumber":"M-42"}"#,
        );
        assert_eq!(req.charge_point_model, "BK7231N-EVSE");
        assert_eq!(req.iccid.as_deref(), Some("8931440400012345678"));
        assert_eq!(req.imsi.as_deref(), Some("204043012345678"));
        let minimal: BootNotificationReq = round_trip(r#"{"chargePointVendor":"VendorX","chargePointModel":"ModelY"}"#);
        assert_eq!(minimal.firmware_version, None);
    }

    #[test]
    fn confirmation_round_trip() {
        let conf: BootNotificationConf =
            round_trip(r#"{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}"#);
        assert_eq!(conf.status, RegistrationStatus::Accepted);
        assert_eq!(conf.interval, 300);
        assert_eq!(conf.current_time.unix_secs(), 1_767_225_600);
        let pending: BootNotificationConf =
            round_trip(r#"{"status":"Pending","currentTime":"2026-01-01T00:00:00.123Z","interval":0}"#);
        assert_eq!(pending.status, RegistrationStatus::Pending);
    }

    #[test]
    fn confirmation_is_lenient_but_typed() {
        // SteVe-like extra fields must not break boot.
        let conf: BootNotificationConf = crate::json::from_str(
            r#"{"status":"Rejected","currentTime":"2026-01-01T00:00:00+01:00","interval":14400,"extra":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(conf.status, RegistrationStatus::Rejected);
        assert_eq!(conf.current_time.to_string(), "2025-12-31T23:00:00Z");
        assert_rejects::<BootNotificationConf>(
            r#"{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":"300"}"#,
            "invalid type: string \"300\", expected i32",
        );
        assert_rejects::<BootNotificationConf>(
            r#"{"status":"Accepted","currentTime":"2026-01-01T00:00:00","interval":300}"#,
            "invalid value: string \"2026-01-01T00:00:00\"",
        );
        assert_rejects::<BootNotificationConf>(
            r#"{"status":"accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}"#,
            "unknown variant `accepted`",
        );
        assert_rejects::<BootNotificationConf>(
            r#"{"status":"Accepted","interval":300}"#,
            "missing field `currentTime`",
        );
    }

    #[test]
    fn request_limits() {
        assert_rejects::<BootNotificationReq>(
            r#"{"chargePointVendor":"VendorX","chargePointModel":"ModelY","meterType":"12345678901234567890123456"}"#,
            "string too long",
        );
        assert_rejects::<BootNotificationReq>(
            r#"{"chargePointVendor":"VendorX","chargePointModel":"ModelY","ICCID":"1"}"#,
            "unknown field `ICCID`",
        );
    }
}
