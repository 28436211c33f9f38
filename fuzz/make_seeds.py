#!/usr/bin/env python3
"""Writes the hand-made seed inputs of every fuzz target into corpus/<target>/seed-*.

The seeds are committed; run this again after changing it (it rewrites only seed-* files):
    python3 fuzz/make_seeds.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# Action names in ocpp_cp::messages::Action::ALL order (the `messages` target's selector byte).
ACTIONS = [
    "Authorize", "BootNotification", "CancelReservation", "ChangeAvailability",
    "ChangeConfiguration", "ClearCache", "ClearChargingProfile", "DataTransfer",
    "DiagnosticsStatusNotification", "FirmwareStatusNotification", "GetCompositeSchedule",
    "GetConfiguration", "GetDiagnostics", "GetLocalListVersion", "Heartbeat", "MeterValues",
    "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
    "SetChargingProfile", "StartTransaction", "StatusNotification", "StopTransaction",
    "TriggerMessage", "UnlockConnector", "UpdateFirmware",
]

T = "2026-01-01T00:00:00Z"
PROFILE_TXDEFAULT = {
    "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]},
}
PROFILE_MAX = {
    "chargingProfileId": 2, "stackLevel": 1, "chargingProfilePurpose": "ChargePointMaxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {
        "duration": 7200, "startSchedule": T, "chargingRateUnit": "W",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 11000.5, "numberPhases": 3},
            {"startPeriod": 1800, "limit": 0},
            {"startPeriod": 3600, "limit": 3680, "numberPhases": 1},
        ],
        "minChargingRate": 1.5,
    },
}
PROFILE_RECURRING = {
    "chargingProfileId": 3, "stackLevel": 2, "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Recurring", "recurrencyKind": "Daily",
    "validFrom": T, "validTo": "2026-12-31T23:59:59Z",
    "chargingSchedule": {
        "duration": 86400, "startSchedule": "2026-01-01T18:00:00+01:00", "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 21600, "limit": 8}],
    },
}
PROFILE_TX = {
    "chargingProfileId": 4, "transactionId": 2, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]},
}

# (request payload, confirmation payload) per action, valid per the 1.6 schemas.
SAMPLES = {
    "Authorize": [({"idTag": "04A2B3C4"}, {"idTagInfo": {"status": "Accepted", "expiryDate": T, "parentIdTag": "P"}})],
    "BootNotification": [(
        {"chargePointVendor": "V", "chargePointModel": "M", "chargePointSerialNumber": "S", "chargeBoxSerialNumber": "B",
         "firmwareVersion": "1", "iccid": "1", "imsi": "1", "meterType": "T", "meterSerialNumber": "M"},
        {"status": "Pending", "currentTime": T, "interval": 300})],
    "CancelReservation": [({"reservationId": 1}, {"status": "Accepted"})],
    "ChangeAvailability": [({"connectorId": 0, "type": "Inoperative"}, {"status": "Scheduled"})],
    "ChangeConfiguration": [({"key": "MeterValuesSampledData", "value": "Energy.Active.Import.Register,Power.Active.Import"},
                             {"status": "RebootRequired"})],
    "ClearCache": [({}, {"status": "Accepted"})],
    "ClearChargingProfile": [({"id": 1, "connectorId": 1, "chargingProfilePurpose": "TxProfile", "stackLevel": 0},
                              {"status": "Unknown"})],
    "DataTransfer": [({"vendorId": "org.example", "messageId": "m", "data": "{\"x\":1}"}, {"status": "Accepted", "data": "d"})],
    "DiagnosticsStatusNotification": [({"status": "Uploaded"}, {})],
    "FirmwareStatusNotification": [({"status": "Installed"}, {})],
    "GetCompositeSchedule": [({"connectorId": 1, "duration": 3600, "chargingRateUnit": "W"},
                              {"status": "Accepted", "connectorId": 1, "scheduleStart": T,
                               "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7360}]}})],
    "GetConfiguration": [({"key": ["HeartbeatInterval", "Nope"]},
                          {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}], "unknownKey": ["Nope"]})],
    "GetDiagnostics": [({"location": "ftp://example.com/", "retries": 2, "retryInterval": 10, "startTime": T, "stopTime": T},
                        {"fileName": "diag.log"})],
    "GetLocalListVersion": [({}, {"listVersion": 3})],
    "Heartbeat": [({}, {"currentTime": T})],
    "MeterValues": [({"connectorId": 1, "transactionId": 2, "meterValue": [{"timestamp": T, "sampledValue": [
        {"value": "1.5", "context": "Sample.Periodic", "format": "Raw", "measurand": "Power.Active.Import",
         "phase": "L1-N", "location": "Outlet", "unit": "kW"}]}]}, {})],
    "RemoteStartTransaction": [({"connectorId": 1, "idTag": "A", "chargingProfile": PROFILE_TX | {"chargingProfileId": 5}},
                                {"status": "Accepted"})],
    "RemoteStopTransaction": [({"transactionId": 2}, {"status": "Rejected"})],
    "ReserveNow": [({"connectorId": 1, "expiryDate": "2026-01-01T01:00:00Z", "idTag": "A", "parentIdTag": "P", "reservationId": 1},
                    {"status": "Occupied"})],
    "Reset": [({"type": "Hard"}, {"status": "Accepted"})],
    "SendLocalList": [({"listVersion": 2, "updateType": "Differential", "localAuthorizationList": [
        {"idTag": "A", "idTagInfo": {"status": "Accepted"}}, {"idTag": "B"}]}, {"status": "VersionMismatch"})],
    "SetChargingProfile": [({"connectorId": 0, "csChargingProfiles": PROFILE_MAX}, {"status": "Accepted"})],
    "StartTransaction": [({"connectorId": 1, "idTag": "A", "meterStart": 0, "reservationId": 1, "timestamp": T},
                          {"idTagInfo": {"status": "Accepted"}, "transactionId": 1})],
    "StatusNotification": [({"connectorId": 1, "errorCode": "GroundFailure", "info": "i", "status": "Faulted", "timestamp": T,
                            "vendorId": "v", "vendorErrorCode": "e"}, {})],
    "StopTransaction": [({"idTag": "A", "meterStop": 10, "timestamp": T, "transactionId": 1, "reason": "EVDisconnected",
                          "transactionData": [{"timestamp": T, "sampledValue": [{"value": "10", "context": "Transaction.End"}]}]},
                         {"idTagInfo": {"status": "Blocked"}})],
    "TriggerMessage": [({"requestedMessage": "StatusNotification", "connectorId": 1}, {"status": "Accepted"})],
    "UnlockConnector": [({"connectorId": 1}, {"status": "Unlocked"})],
    "UpdateFirmware": [({"location": "https://example.com/fw.bin", "retries": 1, "retrieveDate": T, "retryInterval": 5}, {})],
}


def j(v):
    return json.dumps(v, separators=(",", ":"))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clear_seeds():
    root = os.path.join(HERE, "corpus")
    for t in os.listdir(root) if os.path.isdir(root) else []:
        for f in os.listdir(os.path.join(root, t)):
            if f.startswith("seed-"):
                os.remove(os.path.join(root, t, f))


def messages():
    for i, a in enumerate(ACTIONS):
        for k, (req, conf) in enumerate(SAMPLES[a]):
            write("messages", f"{a}-req{k}", bytes([i]) + j(req).encode())
            write("messages", f"{a}-conf{k}", bytes([i]) + j(conf).encode())
    write("messages", "SetChargingProfile-recurring", bytes([ACTIONS.index("SetChargingProfile")]) +
          j({"connectorId": 1, "csChargingProfiles": PROFILE_RECURRING}).encode())
    write("messages", "Reset-array", bytes([ACTIONS.index("Reset")]) + b'["Hard"]')
    write("messages", "Reset-lowercase", bytes([ACTIONS.index("Reset")]) + b'{"type":"hard"}')
    write("messages", "Authorize-long-tag", bytes([0]) + b'{"idTag":"123456789012345678901"}')


def rpc_frame():
    rows = {
        "call": '[2,"19223201","Reset",{"type":"Hard"}]',
        "result": '[3,"19223201",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}]',
        "error": '[4,"7","OccurrenceConstraintViolation","missing",{}]',
        "error-short": '[4,"7","FormatViolation"]',
        "escaped-id": ' [ 2 , "a\\"b\\u00e9" , "Heartbeat" , { } ] ',
        "not-json": "{not json",
        "object": '{"a":1}',
        "six": '[2,"1","Reset",{},1,2]',
        "type5": '[5,"9","Reset",{}]',
        "type-string": '["2","9","Reset",{}]',
        "id-number": '[2,9,"Reset",{}]',
        "long-id": '[2,"0123456789012345678901234567890123456","Reset",{}]',
        "no-payload": '[2,"9","Reset"]',
        "payload-array": '[2,"9","Reset",[1]]',
        "result-short": '[3,"9"]',
        "float-type": '[2.0,"9","Reset",{}]',
        "surrogate": '[2,"1","DataTransfer",{"vendorId":"\\ud800"}]',
    }
    for name, text in rows.items():
        write("rpc_frame", name, text)


def rfc3339():
    for i, s in enumerate([
        "2013-02-01T20:53:32.486Z", "2024-07-01T00:15:00+02:00", "2024-06-30T16:45:00-05:30",
        "2016-12-31T23:59:60.5Z", "2024-02-29T12:00:00z", "2013-02-01t20:53:32.486999999Z",
        "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59.999-23:59", "2024-01-01T00:00:00",
        "2024-04-31T00:00:00Z", "2024-01-01T00:00:00+24:00", "2100-02-29T00:00:00Z",
    ]):
        write("rfc3339", f"{i:02}", s)
    for name, ms in [("epoch", 0), ("minus1", -1), ("min", -(2**63)), ("max", 2**63 - 1), ("y2026", 1767225600123)]:
        write("rfc3339", "i64-" + name, struct.pack("<q", ms))


def ws_client():
    def frame(op, payload, fin=True, length_form=None):
        b0 = (0x80 if fin else 0) | op
        n = len(payload)
        if length_form == 16 or (length_form is None and 126 <= n <= 0xFFFF):
            head = bytes([b0, 126]) + struct.pack(">H", n)
        elif length_form == 64 or n > 0xFFFF:
            head = bytes([b0, 127]) + struct.pack(">Q", n)
        else:
            head = bytes([b0, n])
        return head + payload

    call = b'[2,"1","Reset",{"type":"Soft"}]'
    seeds = {
        "text": (0, frame(1, call)),
        "text-bytewise": (0, frame(1, call)),
        "fragments-ping": (4 * 3, frame(1, b"Hel", fin=False) + frame(9, b"hi") + frame(0, b"lo")),
        "ping-pong-close": (4 * 7, frame(9, b"") + frame(10, b"z") + frame(8, struct.pack(">H", 1001) + b"bye")),
        "close-empty": (0, frame(8, b"")),
        "close-1005": (0, frame(8, struct.pack(">H", 1005))),
        "text-16bit": (4 * 5, frame(1, b"x" * 300)),
        "text-64bit-small": (0, frame(1, b"abc", length_form=64)),
        "too-big": (1, frame(1, b"y" * 100)),
        "huge-header": (0, bytes([0x81, 0x7F, 0x40, 0, 0, 0, 0, 0, 0, 0])),
        "binary": (0, frame(2, b"\x00")),
        "masked": (0, bytes([0x81, 0x85, 1, 2, 3, 4]) + b"hello"),
        "bad-utf8": (0, frame(1, b"\xc3\x28")),
        "rsv": (0, bytes([0xC1, 0x00])),
        "close-bad-reason": (0, frame(8, struct.pack(">H", 1000) + b"\xff")),
        "ping-126": (0, bytes([0x89, 126, 0, 126]) + b"p" * 126),
    }
    for name, (flags, data) in seeds.items():
        if name == "text-bytewise":
            flags = 0
        write("ws_client", name, bytes([flags]) + data)
    ok = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n")
    write("ws_client", "handshake-ok", bytes([2 | 4 * 9]) + ok + frame(1, call))
    write("ws_client", "handshake-case", bytes([2]) + ok.replace(b"Upgrade: websocket", b"upgrade:  WebSocket ")
          .replace(b"Connection: Upgrade", b"Connection: keep-alive, Upgrade"))
    write("ws_client", "handshake-401", bytes([2]) + b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
    write("ws_client", "handshake-no-protocol", bytes([2]) + ok.replace(b"Sec-WebSocket-Protocol: ocpp1.6\r\n", b""))
    write("ws_client", "handshake-bad-accept", bytes([2]) + ok.replace(b"{ACCEPT}", b"AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    write("ws_client", "handshake-lf-only", bytes([2]) + ok.replace(b"\r\n", b"\n"))


def charge_point():
    def call(i, action, payload):
        return j([2, f"cs{i}", action, payload])

    cs_actions = [a for a in ACTIONS if a in (
        "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache", "ClearChargingProfile",
        "DataTransfer", "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics", "GetLocalListVersion",
        "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
        "SetChargingProfile", "TriggerMessage", "UnlockConnector", "UpdateFirmware")]
    for a in cs_actions:
        write("charge_point", "call-" + a, call(1, a, SAMPLES[a][0][0]))
    # A whole transaction, local start, meter values, remote stop.
    write("charge_point", "transaction", "\n".join([
        "@tag TAG1", "@ok", "@plug 1", "@ok", "@ok", "@meter 1 1500", "@t 59", "@meter 1 2500", "@t 1", "@ok",
        call(2, "GetCompositeSchedule", {"connectorId": 1, "duration": 600}),
        call(3, "RemoteStopTransaction", {"transactionId": 2}), "@ok", "@ok", "@unplug 1", "@ok",
    ]))
    write("charge_point", "remote-start-profile", "\n".join([
        call(1, "RemoteStartTransaction", {"connectorId": 1, "idTag": "R1", "chargingProfile": PROFILE_TX}),
        "@ok", "@ok", "@plug 1", "@ok", "@ok",
        call(2, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": PROFILE_TX}),
        call(3, "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": PROFILE_MAX}),
        call(4, "SetChargingProfile", {"connectorId": 2, "csChargingProfiles": PROFILE_RECURRING}),
        call(5, "GetCompositeSchedule", {"connectorId": 0, "duration": 86400, "chargingRateUnit": "W"}),
        "@t 1800", call(6, "ClearChargingProfile", {"chargingProfilePurpose": "ChargePointMaxProfile"}),
        call(7, "Reset", {"type": "Soft"}), "@ok", "@ok",
    ]))
    write("charge_point", "reservation", "\n".join([
        call(1, "ReserveNow", {"connectorId": 1, "expiryDate": "2026-01-01T01:00:00Z", "idTag": "RES", "reservationId": 7}),
        "@ok", "@tag OTHER", "@ok", "@tag RES", "@ok", "@plug 1", "@ok", "@ok",
        call(2, "CancelReservation", {"reservationId": 7}), "@t 3600",
    ]))
    write("charge_point", "local-list-offline", "\n".join([
        call(1, "ChangeConfiguration", {"key": "LocalAuthListEnabled", "value": "true"}),
        call(2, "SendLocalList", {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "LOCAL", "idTagInfo": {"status": "Accepted"}}]}),
        call(3, "GetLocalListVersion", {}),
        call(4, "ChangeConfiguration", {"key": "LocalPreAuthorize", "value": "true"}),
        "@down", "@tag LOCAL", "@plug 1", "@t 120", "@up", "@ok", "@ok", "@ok", "@ok",
    ]))
    write("charge_point", "config-keys", "\n".join([
        call(1, "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "10"}),
        call(2, "ChangeConfiguration", {"key": "ClockAlignedDataInterval", "value": "900"}),
        call(3, "ChangeConfiguration", {"key": "MeterValuesAlignedData", "value": "Energy.Active.Import.Register,Voltage"}),
        call(4, "ChangeConfiguration", {"key": "MinimumStatusDuration", "value": "5"}),
        call(5, "ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "0"}),
        call(6, "GetConfiguration", {}), "@t 30", "@ok", "@t 900", "@ok",
        call(7, "ChangeConfiguration", {"key": "WebSocketPingInterval", "value": "-1"}),
    ]))
    write("charge_point", "trigger-all", "\n".join(
        [call(i, "TriggerMessage", {"requestedMessage": m}) + "\n@ok" for i, m in enumerate([
            "BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
            "Heartbeat", "MeterValues", "StatusNotification"])]))
    write("charge_point", "firmware", "\n".join([
        call(1, "UpdateFirmware", {"location": "https://example.com/fw.bin", "retrieveDate": T}),
        call(2, "GetDiagnostics", {"location": "ftp://example.com/"}), "@t 10", "@ok", "@ok", "@t 600",
    ]))
    write("charge_point", "availability-faults", "\n".join([
        "@tag A", "@ok", "@plug 2", "@ok", "@ok",
        call(1, "ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}), "@fault 2", "@ok", "@clear 2",
        call(2, "ChangeAvailability", {"connectorId": 2, "type": "Operative"}), "@ok",
        call(3, "UnlockConnector", {"connectorId": 2}), "@ok", "@ok",
    ]))
    write("charge_point", "callerrors", "\n".join([
        "[2,\"e1\",\"Reset\",{\"type\":\"Warm\"}]", "[2,\"e2\",\"Reset\",{}]", "[2,\"e3\",\"Reset\",{\"type\":1}]",
        "[2,\"e4\",\"BootNotification\",{}]", "[2,\"e5\",\"SignCertificate\",{}]", "[2,\"e6\",\"Reset\",[]]",
        "[2,\"e7\"]", "[2]", "nope", "[3,\"$ID\",{\"status\":\"Bogus\"}]", "[4,\"$ID\",\"InternalError\",\"x\",{}]",
        "[2,\"e8\",\"Reset\",{\"type\":\"Hard\",\"extra\":1}]",
    ]))
    write("charge_point", "boot-pending", "\n".join([
        call(1, "TriggerMessage", {"requestedMessage": "BootNotification"}),
        "[3,\"$ID\",{\"status\":\"Pending\",\"currentTime\":\"2026-01-01T00:00:00Z\",\"interval\":5}]",
        "@t 5", "[3,\"$ID\",{\"status\":\"Rejected\",\"currentTime\":\"2026-01-01T00:00:10Z\",\"interval\":0}]",
        "@t 120", "@ok",
    ]))
    write("charge_point", "reboot-mid-transaction", "\n".join([
        call(1, "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "77"}),
        call(2, "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": PROFILE_MAX}),
        call(3, "SendLocalList", {"listVersion": 4, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "L1", "idTagInfo": {"status": "Accepted", "expiryDate": "2027-01-01T00:00:00Z"}}]}),
        call(4, "ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}),
        "@ok", "@tag TAG1", "@ok", "@plug 1", "@ok", "@ok", "@ok", "@meter 1 100", "@t 61", "@ok", "@reboot", "@ok", "@ok", "@ok",
        call(5, "GetConfiguration", {"key": ["HeartbeatInterval"]}),
        call(6, "GetCompositeSchedule", {"connectorId": 0, "duration": 3600}),
        call(7, "GetLocalListVersion", {}),
    ]))


if __name__ == "__main__":
    clear_seeds()
    messages()
    rpc_frame()
    rfc3339()
    ws_client()
    charge_point()
