//! Target `messages`: every OCPP 1.6 payload type, [`CsRequest::parse`] and [`CpConf::parse`].
//!
//! Input: the first byte picks the action (`byte % 28`, in [`Action::ALL`] order), the rest
//! is the payload text. Invariants:
//! - the request and confirmation types of that action read the payload without panicking,
//!   and what they read writes and reads back to the same value (see [`round_trip`]);
//! - `CsRequest::parse` / `CpConf::parse` accept exactly when the payload is a JSON object
//!   and the action's type in that direction reads it, giving the same value;
//! - nothing that serde_json (an independent reader) refuses as JSON is accepted;
//! - every refusal has a CALLERROR code ([`classify_payload_error`]).

use ocpp_cp::json;
use ocpp_cp::messages::*;
use ocpp_cp::rpc::classify_payload_error;

use crate::check::{round_trip, typed};

macro_rules! expected_enum {
    ($fn_name:ident, $enum:ident { $($action:ident($ty:ident),)+ }) => {
        /// What the library's enum parse must give for `action` and `payload`, read directly
        /// with the action's type (`None` when the action has no payload in this direction).
        fn $fn_name(action: Action, payload: &str) -> Option<Result<$enum, String>> {
            match action {
                $( Action::$action => Some(round_trip::<$ty>(payload).map($enum::$action)), )+
                _ => None,
            }
        }
    };
}

expected_enum!(expected_cs_request, CsRequest {
    CancelReservation(CancelReservationReq),
    ChangeAvailability(ChangeAvailabilityReq),
    ChangeConfiguration(ChangeConfigurationReq),
    ClearCache(ClearCacheReq),
    ClearChargingProfile(ClearChargingProfileReq),
    DataTransfer(DataTransferReq),
    GetCompositeSchedule(GetCompositeScheduleReq),
    GetConfiguration(GetConfigurationReq),
    GetDiagnostics(GetDiagnosticsReq),
    GetLocalListVersion(GetLocalListVersionReq),
    RemoteStartTransaction(RemoteStartTransactionReq),
    RemoteStopTransaction(RemoteStopTransactionReq),
    ReserveNow(ReserveNowReq),
    Reset(ResetReq),
    SendLocalList(SendLocalListReq),
    SetChargingProfile(SetChargingProfileReq),
    TriggerMessage(TriggerMessageReq),
    UnlockConnector(UnlockConnectorReq),
    UpdateFirmware(UpdateFirmwareReq),
});

expected_enum!(expected_cp_conf, CpConf {
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
});

/// Compares the library's enum parse with the direct one.
fn same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    payload: &str,
    got: Result<T, json::Error>,
    expected: Option<Result<T, String>>,
) {
    let is_object = payload.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{');
    match (got, expected) {
        (Ok(g), Some(Ok(e))) if is_object => assert_eq!(g, e, "{what} {payload:?}"),
        (Ok(g), e) => panic!("{what} accepted {payload:?} as {g:?}; direct read: {e:?}"),
        (Err(err), Some(Ok(e))) if is_object => panic!("{what} refused {payload:?} ({err}); direct read: {e:?}"),
        (Err(err), _) => {
            // Every refusal has a CALLERROR code (the first error found decides it: on the
            // wire the frame was checked as JSON before its payload is read).
            let _ = classify_payload_error(&err);
            assert!(!err.to_string().is_empty());
        }
    }
}

/// The `messages` fuzz target.
pub fn messages(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(payload) = std::str::from_utf8(rest) else {
        return;
    };
    let Some(&action) = Action::ALL.get(usize::from(selector) % Action::ALL.len()) else {
        return;
    };
    let _ = typed(action, false, payload);
    let _ = typed(action, true, payload);
    same(
        "CsRequest::parse",
        payload,
        CsRequest::parse(action, payload),
        expected_cs_request(action, payload),
    );
    same(
        "CpConf::parse",
        payload,
        CpConf::parse(action, payload),
        expected_cp_conf(action, payload),
    );
    if let Ok(r) = CsRequest::parse(action, payload) {
        assert_eq!(r.action(), action);
        assert!(action.from_central_system());
    }
    if let Ok(c) = CpConf::parse(action, payload) {
        assert_eq!(c.action(), action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_runs_on_samples() {
        let reset = Action::ALL.iter().position(|a| *a == Action::Reset).unwrap() as u8;
        for p in [r#"{"type":"Hard"}"#, r#"{"type":"hard"}"#, r#"["Hard"]"#, "", "{"] {
            let mut input = vec![reset];
            input.extend_from_slice(p.as_bytes());
            messages(&input);
        }
        assert!(CsRequest::parse(Action::Reset, r#"{"type":"Hard"}"#).is_ok());
    }
}
