//! Typed payloads of the 28 OCPP 1.6 actions (one file per action, named after it).
//!
//! Every action has a `<Action>Req` (the CALL payload) and a `<Action>Conf` (the
//! CALLRESULT payload); field names are the snake_case of the JSON names and the types
//! follow the official OCPP 1.6 JSON schemas (`connectorId` is `u32`, other integers
//! `i32`, `number` is [`Decimal`], strings with a `maxLength` are [`CiString`], date-times
//! are [`DateTime`](crate::time::DateTime)).
//!
//! Strictness (OCPP-J §4.2.3: the receiver validates what it is sent):
//! - Every request, and every confirmation the charge point sends, rejects unknown fields
//!   and `null` in optional fields, so a malformed CALL from the central system becomes a
//!   CALLERROR in the RPC layer and a simulated central system catches our bugs.
//! - The ten confirmations the central system sends back to us (the `...Conf` of
//!   CP-initiated actions: [`CpConf`]) are lenient: unknown fields are skipped and `null` in
//!   an optional field reads as absent, so a chatty central system cannot stop the charge
//!   point from booting. Strictness is decided by the outermost type: an [`IdTagInfo`] is
//!   lenient inside AuthorizeConf and strict inside SendLocalList.
//!
//! Every type reads and writes itself through [`crate::json`] (a table of its fields per
//! type, no serde). Optional fields, arrays included, are `Option`s left out of the JSON when
//! `None`, so an absent array and an empty one stay apart.

use crate::json::{self, FromJson, ToJson};

/// Defines a fieldless enum whose variants each have one wire string (one `const` table
/// serves `as_str`, `from_wire` and the JSON reader and writer), plus optional aliases that
/// are accepted when reading but never written.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $var:ident = $wire:literal, )+
        }
        $( aliases { $( $alias:literal => $avar:ident, )+ } )?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = ""]
                #[doc = concat!("On the wire: `", $wire, "`.")]
                $var,
            )+
        }

        impl $name {
            /// Every value, in declaration order (for the 1.6 enumerations: the JSON schema's order).
            pub const ALL: [$name; [$($wire),+].len()] = [$($name::$var),+];
            /// The wire strings in their JSON quotes: the writer copies them as they are.
            const QUOTED: &'static [&'static str] = &[$(concat!("\"", $wire, "\"")),+];
            const ALIASES: &'static [(&'static str, usize)] =
                &[$($( ($alias, $name::$avar as usize), )+)?];

            /// The string OCPP puts on the wire for this value.
            pub fn as_str(self) -> &'static str {
                $crate::messages::unquote(self.as_json())
            }

            /// [`Self::as_str`] in quotes: the JSON string.
            pub fn as_json(self) -> &'static str {
                $crate::messages::wire_name(Self::QUOTED, self as usize)
            }

            /// The value whose wire string is exactly `s` (case-sensitive, as the schemas are).
            pub fn from_wire(s: &str) -> Option<Self> {
                $crate::messages::wire_index(Self::QUOTED, Self::ALIASES, s)
                    .and_then(|i| Self::ALL.get(i).copied())
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::json::ToJson for $name {
            fn write_json(&self, w: &mut $crate::json::Writer<'_>) {
                w.raw(self.as_json());
            }
        }

        impl $crate::json::FromJson for $name {
            fn read_json(r: &mut $crate::json::Reader<'_>) -> Result<Self, $crate::json::Error> {
                let i = r.name(Self::QUOTED, Self::ALIASES)?;
                Self::ALL
                    .get(i)
                    .copied()
                    .ok_or_else(|| r.error($crate::json::ErrorKind::Value))
            }
        }
    };
}

pub mod types;

pub mod authorize;
pub mod boot_notification;
pub mod cancel_reservation;
pub mod change_availability;
pub mod change_configuration;
pub mod clear_cache;
pub mod clear_charging_profile;
pub mod data_transfer;
pub mod diagnostics_status_notification;
pub mod firmware_status_notification;
pub mod get_composite_schedule;
pub mod get_configuration;
pub mod get_diagnostics;
pub mod get_local_list_version;
pub mod heartbeat;
pub mod meter_values;
pub mod remote_start_transaction;
pub mod remote_stop_transaction;
pub mod reserve_now;
pub mod reset;
pub mod send_local_list;
pub mod set_charging_profile;
pub mod start_transaction;
pub mod status_notification;
pub mod stop_transaction;
pub mod trigger_message;
pub mod unlock_connector;
pub mod update_firmware;

pub use authorize::*;
pub use boot_notification::*;
pub use cancel_reservation::*;
pub use change_availability::*;
pub use change_configuration::*;
pub use clear_cache::*;
pub use clear_charging_profile::*;
pub use data_transfer::*;
pub use diagnostics_status_notification::*;
pub use firmware_status_notification::*;
pub use get_composite_schedule::*;
pub use get_configuration::*;
pub use get_diagnostics::*;
pub use get_local_list_version::*;
pub use heartbeat::*;
pub use meter_values::*;
pub use remote_start_transaction::*;
pub use remote_stop_transaction::*;
pub use reserve_now::*;
pub use reset::*;
pub use send_local_list::*;
pub use set_charging_profile::*;
pub use start_transaction::*;
pub use status_notification::*;
pub use stop_transaction::*;
pub use trigger_message::*;
pub use types::*;
pub use unlock_connector::*;
pub use update_firmware::*;

/// `names[i]`, or `""` for an index outside the table (cannot happen for a table built by
/// `wire_enum!`).
#[doc(hidden)]
pub fn wire_name(names: &'static [&'static str], i: usize) -> &'static str {
    names.get(i).copied().unwrap_or("")
}

/// A JSON string literal without its quotes (`"\"Accepted\""` -> `Accepted`).
#[doc(hidden)]
pub fn unquote(quoted: &'static str) -> &'static str {
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("")
}

/// The index of `s` in `quoted` (names in their quotes), else the index an alias of `s`
/// stands for.
#[doc(hidden)]
pub fn wire_index(quoted: &[&'static str], aliases: &[(&str, usize)], s: &str) -> Option<usize> {
    quoted
        .iter()
        .position(|n| unquote(n) == s)
        .or_else(|| aliases.iter().find(|(alias, _)| *alias == s).map(|(_, i)| *i))
}

wire_enum! {
    /// The 28 actions of OCPP 1.6 (§4 charge point initiated, §5 central system initiated).
    pub enum Action {
        /// §4.1, charge point to central system.
        Authorize = "Authorize",
        /// §4.2, charge point to central system.
        BootNotification = "BootNotification",
        /// §5.1, central system to charge point.
        CancelReservation = "CancelReservation",
        /// §5.2, central system to charge point.
        ChangeAvailability = "ChangeAvailability",
        /// §5.3, central system to charge point.
        ChangeConfiguration = "ChangeConfiguration",
        /// §5.4, central system to charge point.
        ClearCache = "ClearCache",
        /// §5.5, central system to charge point.
        ClearChargingProfile = "ClearChargingProfile",
        /// §4.3 and §5.6, either direction.
        DataTransfer = "DataTransfer",
        /// §4.4, charge point to central system.
        DiagnosticsStatusNotification = "DiagnosticsStatusNotification",
        /// §4.5, charge point to central system.
        FirmwareStatusNotification = "FirmwareStatusNotification",
        /// §5.7, central system to charge point.
        GetCompositeSchedule = "GetCompositeSchedule",
        /// §5.8, central system to charge point.
        GetConfiguration = "GetConfiguration",
        /// §5.9, central system to charge point.
        GetDiagnostics = "GetDiagnostics",
        /// §5.10, central system to charge point.
        GetLocalListVersion = "GetLocalListVersion",
        /// §4.6, charge point to central system.
        Heartbeat = "Heartbeat",
        /// §4.7, charge point to central system.
        MeterValues = "MeterValues",
        /// §5.11, central system to charge point.
        RemoteStartTransaction = "RemoteStartTransaction",
        /// §5.12, central system to charge point.
        RemoteStopTransaction = "RemoteStopTransaction",
        /// §5.13, central system to charge point.
        ReserveNow = "ReserveNow",
        /// §5.14, central system to charge point.
        Reset = "Reset",
        /// §5.15, central system to charge point.
        SendLocalList = "SendLocalList",
        /// §5.16, central system to charge point.
        SetChargingProfile = "SetChargingProfile",
        /// §4.8, charge point to central system.
        StartTransaction = "StartTransaction",
        /// §4.9, charge point to central system.
        StatusNotification = "StatusNotification",
        /// §4.10, charge point to central system.
        StopTransaction = "StopTransaction",
        /// §5.17, central system to charge point.
        TriggerMessage = "TriggerMessage",
        /// §5.18, central system to charge point.
        UnlockConnector = "UnlockConnector",
        /// §5.19, central system to charge point.
        UpdateFirmware = "UpdateFirmware",
    }
}

impl Action {
    /// The action named exactly `name` (the CALL's action string), if it is one of the 28.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::from_wire(name)
    }

    /// Whether the central system may send this action as a CALL (DataTransfer goes both
    /// ways, so it is `true`).
    pub fn from_central_system(self) -> bool {
        !matches!(
            self,
            Action::Authorize
                | Action::BootNotification
                | Action::DiagnosticsStatusNotification
                | Action::FirmwareStatusNotification
                | Action::Heartbeat
                | Action::MeterValues
                | Action::StartTransaction
                | Action::StatusNotification
                | Action::StopTransaction
        )
    }

    /// The feature profile the action belongs to (1.6 edition 2 §3.3).
    pub fn profile(self) -> Profile {
        match self {
            Action::GetDiagnostics
            | Action::UpdateFirmware
            | Action::DiagnosticsStatusNotification
            | Action::FirmwareStatusNotification => Profile::FirmwareManagement,
            Action::GetLocalListVersion | Action::SendLocalList => Profile::LocalAuthListManagement,
            Action::ReserveNow | Action::CancelReservation => Profile::Reservation,
            Action::SetChargingProfile | Action::ClearChargingProfile | Action::GetCompositeSchedule => {
                Profile::SmartCharging
            }
            Action::TriggerMessage => Profile::RemoteTrigger,
            _ => Profile::Core,
        }
    }
}

wire_enum! {
    /// The feature profiles of OCPP 1.6 (edition 2 §3.3); the wire strings are the values of the
    /// `SupportedFeatureProfiles` configuration key.
    pub enum Profile {
        /// Basic charge point functionality.
        Core = "Core",
        /// Firmware updates and diagnostics upload.
        FirmwareManagement = "FirmwareManagement",
        /// The local authorization list.
        LocalAuthListManagement = "LocalAuthListManagement",
        /// Reservations.
        Reservation = "Reservation",
        /// Charging profiles.
        SmartCharging = "SmartCharging",
        /// TriggerMessage.
        RemoteTrigger = "RemoteTrigger",
    }
}

/// A request payload: knows its action and the type of its confirmation.
pub trait Request: ToJson + FromJson {
    /// The action this payload is sent under.
    const ACTION: Action;
    /// The payload of the matching CALLRESULT.
    type Conf: ToJson + FromJson;
}

macro_rules! impl_request {
    ($($action:ident: $req:ident => $conf:ident,)+) => {
        $(
            impl Request for $req {
                const ACTION: Action = Action::$action;
                type Conf = $conf;
            }
        )+
    };
}

/// Calls `$callback! { Action: Req => Conf, ... }` with all 28 actions of OCPP 1.6 and their
/// payload types, so that code outside this module (the fuzz checks) walks the same list.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_action {
    ($callback:ident) => {
        $callback! {
            Authorize: AuthorizeReq => AuthorizeConf,
            BootNotification: BootNotificationReq => BootNotificationConf,
            CancelReservation: CancelReservationReq => CancelReservationConf,
            ChangeAvailability: ChangeAvailabilityReq => ChangeAvailabilityConf,
            ChangeConfiguration: ChangeConfigurationReq => ChangeConfigurationConf,
            ClearCache: ClearCacheReq => ClearCacheConf,
            ClearChargingProfile: ClearChargingProfileReq => ClearChargingProfileConf,
            DataTransfer: DataTransferReq => DataTransferConf,
            DiagnosticsStatusNotification: DiagnosticsStatusNotificationReq => DiagnosticsStatusNotificationConf,
            FirmwareStatusNotification: FirmwareStatusNotificationReq => FirmwareStatusNotificationConf,
            GetCompositeSchedule: GetCompositeScheduleReq => GetCompositeScheduleConf,
            GetConfiguration: GetConfigurationReq => GetConfigurationConf,
            GetDiagnostics: GetDiagnosticsReq => GetDiagnosticsConf,
            GetLocalListVersion: GetLocalListVersionReq => GetLocalListVersionConf,
            Heartbeat: HeartbeatReq => HeartbeatConf,
            MeterValues: MeterValuesReq => MeterValuesConf,
            RemoteStartTransaction: RemoteStartTransactionReq => RemoteStartTransactionConf,
            RemoteStopTransaction: RemoteStopTransactionReq => RemoteStopTransactionConf,
            ReserveNow: ReserveNowReq => ReserveNowConf,
            Reset: ResetReq => ResetConf,
            SendLocalList: SendLocalListReq => SendLocalListConf,
            SetChargingProfile: SetChargingProfileReq => SetChargingProfileConf,
            StartTransaction: StartTransactionReq => StartTransactionConf,
            StatusNotification: StatusNotificationReq => StatusNotificationConf,
            StopTransaction: StopTransactionReq => StopTransactionConf,
            TriggerMessage: TriggerMessageReq => TriggerMessageConf,
            UnlockConnector: UnlockConnectorReq => UnlockConnectorConf,
            UpdateFirmware: UpdateFirmwareReq => UpdateFirmwareConf,
        }
    };
}

for_each_action!(impl_request);

/// Defines an enum with one variant per action holding that action's payload type, its
/// `parse` (by action name) and `action`.
macro_rules! payload_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $action:ident($ty:ident), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $(
                #[doc = concat!("A `", stringify!($action), "` payload.")]
                $(#[$vmeta])*
                $action($ty),
            )+
        }

        impl $name {
            /// Parses `payload` (the JSON object of the frame) as the payload `action` has in
            /// this direction. Fails for an action that has none ([`json::ErrorKind::NoPayload`]),
            /// for a payload that is not a JSON object, and for anything the schema does not
            /// allow, with the error's CALLERROR class.
            pub fn parse(action: Action, payload: &str) -> Result<$name, json::Error> {
                match action {
                    $(
                        $(#[$vmeta])*
                        Action::$action => json::from_payload(payload).map($name::$action),
                    )+
                    #[allow(unreachable_patterns)]
                    _ => Err(json::Error::new(json::ErrorKind::NoPayload, "", 0)),
                }
            }

            /// The action this payload belongs to.
            pub fn action(&self) -> Action {
                match self {
                    $( $(#[$vmeta])* $name::$action(_) => Action::$action, )+
                }
            }
        }
    };
}

payload_enum! {
    /// A CALL the central system sends to the charge point (1.6 §5, plus DataTransfer).
    /// The requests of an optional profile exist only when its feature is built, so a
    /// firmware without it carries none of their parsing code.
    pub enum CsRequest {
        #[cfg(feature = "reservation")]
        CancelReservation(CancelReservationReq),
        ChangeAvailability(ChangeAvailabilityReq),
        ChangeConfiguration(ChangeConfigurationReq),
        ClearCache(ClearCacheReq),
        #[cfg(feature = "smart-charging")]
        ClearChargingProfile(ClearChargingProfileReq),
        DataTransfer(DataTransferReq),
        #[cfg(feature = "smart-charging")]
        GetCompositeSchedule(GetCompositeScheduleReq),
        GetConfiguration(GetConfigurationReq),
        #[cfg(feature = "firmware-management")]
        GetDiagnostics(GetDiagnosticsReq),
        #[cfg(feature = "local-auth-list")]
        GetLocalListVersion(GetLocalListVersionReq),
        RemoteStartTransaction(RemoteStartTransactionReq),
        RemoteStopTransaction(RemoteStopTransactionReq),
        #[cfg(feature = "reservation")]
        ReserveNow(ReserveNowReq),
        Reset(ResetReq),
        #[cfg(feature = "local-auth-list")]
        SendLocalList(SendLocalListReq),
        #[cfg(feature = "smart-charging")]
        SetChargingProfile(SetChargingProfileReq),
        TriggerMessage(TriggerMessageReq),
        UnlockConnector(UnlockConnectorReq),
        #[cfg(feature = "firmware-management")]
        UpdateFirmware(UpdateFirmwareReq),
    }
}

payload_enum! {
    /// A CALLRESULT the central system sends back for a CALL of the charge point (the
    /// confirmations of 1.6 §4, plus DataTransfer).
    pub enum CpConf {
        Authorize(AuthorizeConf),
        BootNotification(BootNotificationConf),
        DataTransfer(DataTransferConf),
        DiagnosticsStatusNotification(DiagnosticsStatusNotificationConf),
        FirmwareStatusNotification(FirmwareStatusNotificationConf),
        Heartbeat(HeartbeatConf),
        MeterValues(MeterValuesConf),
        StartTransaction(StartTransactionConf),
        StatusNotification(StatusNotificationConf),
        StopTransaction(StopTransactionConf),
    }
}

/// Helpers for the tests of every message file.
#[cfg(test)]
pub(crate) mod test_util {
    use core::fmt::Debug;

    use crate::json::{self, FromJson, ToJson};
    use crate::rpc::{classify_payload_error, ErrorCode};

    /// The CALLERROR code that an error text of the former serde-based reader stood for: the
    /// tests keep the texts they were written with and are held to the class they mean.
    fn code_of(serde_text: &str) -> ErrorCode {
        const TABLE: [(&str, ErrorCode); 8] = [
            ("missing field", ErrorCode::OccurenceConstraintViolation),
            ("invalid type", ErrorCode::TypeConstraintViolation),
            ("invalid value", ErrorCode::PropertyConstraintViolation),
            ("unknown variant", ErrorCode::PropertyConstraintViolation),
            ("invalid length", ErrorCode::PropertyConstraintViolation),
            ("string too long", ErrorCode::PropertyConstraintViolation),
            ("number out of range", ErrorCode::PropertyConstraintViolation),
            ("unknown field", ErrorCode::FormationViolation),
        ];
        TABLE
            .iter()
            .find(|(prefix, _)| serde_text.starts_with(prefix))
            .map_or(ErrorCode::FormationViolation, |(_, code)| *code)
    }

    /// Parses `json` as `T`, writes it again and checks the JSON is the same value (compared
    /// by serde_json, an independent reader).
    #[track_caller]
    pub fn round_trip<T: ToJson + FromJson>(json: &str) -> T {
        let parsed: T = json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let written = json::to_string(&parsed);
        let again: serde_json::Value = serde_json::from_str(&written).unwrap();
        let original: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(again, original, "{json} -> {written}");
        parsed
    }

    /// The error for `json`, which must not parse as `T`.
    #[track_caller]
    pub fn reject<T: FromJson + Debug>(json: &str) -> json::Error {
        json::from_str::<T>(json).unwrap_err()
    }

    /// Asserts `json` fails as `T` with the CALLERROR class of the serde error text
    /// `serde_prefix` (see `code_of`).
    #[track_caller]
    pub fn assert_rejects<T: FromJson + Debug>(json: &str, serde_prefix: &str) {
        let e = reject::<T>(json);
        assert_eq!(
            classify_payload_error(&e),
            code_of(serde_prefix),
            "{json}: {e} (expected the class of {serde_prefix:?})"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn action_names_round_trip() {
        assert_eq!(Action::ALL.len(), 28);
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.as_str()), Some(a));
            assert_eq!(a.to_string(), a.as_str());
        }
        assert_eq!(Action::from_name("bootnotification"), None);
        assert_eq!(Action::from_name("SignCertificate"), None);
        assert_eq!(Action::from_name(""), None);
        assert_eq!(Action::StatusNotification.as_str(), "StatusNotification");
    }

    #[test]
    fn directions_and_profiles() {
        let from_cs = Action::ALL.iter().filter(|a| a.from_central_system()).count();
        assert_eq!(from_cs, 19); // 18 CS-only actions + DataTransfer
        assert!(Action::DataTransfer.from_central_system());
        assert!(!Action::BootNotification.from_central_system());
        assert!(Action::Reset.from_central_system());
        let count = |p| Action::ALL.iter().filter(|a| a.profile() == p).count();
        assert_eq!(count(Profile::Core), 16);
        assert_eq!(count(Profile::FirmwareManagement), 4);
        assert_eq!(count(Profile::LocalAuthListManagement), 2);
        assert_eq!(count(Profile::Reservation), 2);
        assert_eq!(count(Profile::SmartCharging), 3);
        assert_eq!(count(Profile::RemoteTrigger), 1);
        assert_eq!(Profile::from_wire("SmartCharging"), Some(Profile::SmartCharging));
    }

    /// A minimal valid payload for every action, as sent by its sender.
    fn sample(a: Action) -> (&'static str, &'static str) {
        match a {
            Action::Authorize => (r#"{"idTag":"04A2B3C4"}"#, r#"{"idTagInfo":{"status":"Accepted"}}"#),
            Action::BootNotification => (
                r#"{"chargePointVendor":"V","chargePointModel":"M"}"#,
                r#"{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}"#,
            ),
            Action::CancelReservation => (r#"{"reservationId":1}"#, r#"{"status":"Accepted"}"#),
            Action::ChangeAvailability => (r#"{"connectorId":0,"type":"Inoperative"}"#, r#"{"status":"Scheduled"}"#),
            Action::ChangeConfiguration => (
                r#"{"key":"HeartbeatInterval","value":"60"}"#,
                r#"{"status":"Accepted"}"#,
            ),
            Action::ClearCache => ("{}", r#"{"status":"Accepted"}"#),
            Action::ClearChargingProfile => ("{}", r#"{"status":"Unknown"}"#),
            Action::DataTransfer => (r#"{"vendorId":"com.example"}"#, r#"{"status":"Accepted"}"#),
            Action::DiagnosticsStatusNotification => (r#"{"status":"Idle"}"#, "{}"),
            Action::FirmwareStatusNotification => (r#"{"status":"Idle"}"#, "{}"),
            Action::GetCompositeSchedule => (r#"{"connectorId":1,"duration":3600}"#, r#"{"status":"Rejected"}"#),
            Action::GetConfiguration => ("{}", "{}"),
            Action::GetDiagnostics => (r#"{"location":"ftp://example.com/"}"#, "{}"),
            Action::GetLocalListVersion => ("{}", r#"{"listVersion":0}"#),
            Action::Heartbeat => ("{}", r#"{"currentTime":"2026-01-01T00:00:00Z"}"#),
            Action::MeterValues => (
                r#"{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":"1"}]}]}"#,
                "{}",
            ),
            Action::RemoteStartTransaction => (r#"{"idTag":"A"}"#, r#"{"status":"Accepted"}"#),
            Action::RemoteStopTransaction => (r#"{"transactionId":1}"#, r#"{"status":"Rejected"}"#),
            Action::ReserveNow => (
                r#"{"connectorId":1,"expiryDate":"2026-01-01T00:00:00Z","idTag":"A","reservationId":1}"#,
                r#"{"status":"Occupied"}"#,
            ),
            Action::Reset => (r#"{"type":"Soft"}"#, r#"{"status":"Accepted"}"#),
            Action::SendLocalList => (r#"{"listVersion":1,"updateType":"Full"}"#, r#"{"status":"Accepted"}"#),
            Action::SetChargingProfile => (
                r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6}]}}}"#,
                r#"{"status":"Accepted"}"#,
            ),
            Action::StartTransaction => (
                r#"{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"}"#,
                r#"{"idTagInfo":{"status":"Accepted"},"transactionId":1}"#,
            ),
            Action::StatusNotification => (r#"{"connectorId":1,"errorCode":"NoError","status":"Available"}"#, "{}"),
            Action::StopTransaction => (
                r#"{"meterStop":10,"timestamp":"2026-01-01T00:00:00Z","transactionId":1}"#,
                "{}",
            ),
            Action::TriggerMessage => (r#"{"requestedMessage":"Heartbeat"}"#, r#"{"status":"Accepted"}"#),
            Action::UnlockConnector => (r#"{"connectorId":1}"#, r#"{"status":"Unlocked"}"#),
            Action::UpdateFirmware => (
                r#"{"location":"https://example.com/fw.bin","retrieveDate":"2026-01-01T00:00:00Z"}"#,
                "{}",
            ),
        }
    }

    #[test]
    fn cs_request_parses_exactly_the_central_system_actions() {
        for a in Action::ALL {
            let (req, _) = sample(a);
            let parsed = CsRequest::parse(a, req);
            // Requests of an optional profile exist only when the profile is built.
            let built =
                cfg!(feature = "profiles") || a.profile() == Profile::Core || a.profile() == Profile::RemoteTrigger;
            if a.from_central_system() && built {
                assert_eq!(parsed.map(|r| r.action()).ok(), Some(a), "{a}");
            } else {
                let e = parsed.unwrap_err();
                assert_eq!(e.kind, json::ErrorKind::NoPayload, "{a}: {e}");
            }
        }
    }

    #[test]
    fn cp_conf_parses_exactly_the_charge_point_actions() {
        let mut cp_initiated = 0;
        for a in Action::ALL {
            let (_, conf) = sample(a);
            let parsed = CpConf::parse(a, conf);
            if !a.from_central_system() || a == Action::DataTransfer {
                cp_initiated += 1;
                assert_eq!(parsed.map(|c| c.action()).ok(), Some(a), "{a}");
            } else {
                assert!(parsed.is_err(), "{a}");
            }
        }
        assert_eq!(cp_initiated, 10);
    }

    #[test]
    fn every_request_and_confirmation_type_parses_its_sample() {
        fn check<R: Request>() {
            let (req, conf) = sample(R::ACTION);
            assert!(json::from_str::<R>(req).is_ok(), "{req}");
            assert!(json::from_str::<R::Conf>(conf).is_ok(), "{conf}");
        }
        check::<AuthorizeReq>();
        check::<BootNotificationReq>();
        check::<CancelReservationReq>();
        check::<ChangeAvailabilityReq>();
        check::<ChangeConfigurationReq>();
        check::<ClearCacheReq>();
        check::<ClearChargingProfileReq>();
        check::<DataTransferReq>();
        check::<DiagnosticsStatusNotificationReq>();
        check::<FirmwareStatusNotificationReq>();
        check::<GetCompositeScheduleReq>();
        check::<GetConfigurationReq>();
        check::<GetDiagnosticsReq>();
        check::<GetLocalListVersionReq>();
        check::<HeartbeatReq>();
        check::<MeterValuesReq>();
        check::<RemoteStartTransactionReq>();
        check::<RemoteStopTransactionReq>();
        check::<ReserveNowReq>();
        check::<ResetReq>();
        check::<SendLocalListReq>();
        check::<SetChargingProfileReq>();
        check::<StartTransactionReq>();
        check::<StatusNotificationReq>();
        check::<StopTransactionReq>();
        check::<TriggerMessageReq>();
        check::<UnlockConnectorReq>();
        check::<UpdateFirmwareReq>();
    }

    #[test]
    fn payload_must_be_an_object() {
        // Never read by position, as serde would read ["Hard"] as ResetReq { type: Hard }.
        let e = CsRequest::parse(Action::Reset, r#"["Hard"]"#).unwrap_err();
        assert_eq!(e.kind, json::ErrorKind::NotObject);
        assert_eq!(e.to_string(), "payload is not a JSON object");
        assert!(CsRequest::parse(Action::Reset, r#" {"type":"Hard"}"#).is_ok());
        assert!(CsRequest::parse(Action::ClearCache, "null").is_err());
        assert!(CpConf::parse(Action::Heartbeat, "[]").is_err());
    }

    #[test]
    fn cs_request_errors_name_their_class_and_field() {
        use crate::rpc::{classify_payload_error, ErrorCode};
        let unknown = CsRequest::parse(Action::Reset, r#"{"type":"Hard","delay":5}"#).unwrap_err();
        assert_eq!(classify_payload_error(&unknown), ErrorCode::FormationViolation);
        assert_eq!(unknown.to_string(), "unknown field (at byte 15)");
        let bad_enum = CsRequest::parse(Action::Reset, r#"{"type":"Later"}"#).unwrap_err();
        assert_eq!(
            classify_payload_error(&bad_enum),
            ErrorCode::PropertyConstraintViolation
        );
        assert_eq!(bad_enum.to_string(), "invalid value `type`");
        let missing = CsRequest::parse(Action::Reset, "{}").unwrap_err();
        assert_eq!(
            classify_payload_error(&missing),
            ErrorCode::OccurenceConstraintViolation
        );
        assert_eq!(missing.to_string(), "missing field `type`");
    }
}
