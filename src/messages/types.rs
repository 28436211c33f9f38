//! Types shared by several OCPP 1.6 payloads: bounded strings, decimals, the enumerations
//! of 1.6 §7 and the composite types (IdTagInfo, MeterValue, ChargingProfile, ...).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

use crate::json::{self, FromJson, Reader, ToJson, Writer, EXACT};
use crate::time::DateTime;

// ---------------------------------------------------------------------------------------
// CiString
// ---------------------------------------------------------------------------------------

/// A string of at most `N` characters (1.6 §7.15-§7.19: CiString20Type ... CiString500Type).
///
/// The length counts characters (Unicode scalar values), as JSON schema `maxLength` does.
/// OCPP compares these strings case-insensitively: use [`CiString::eq_ignore_case`];
/// `==` is exact.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CiString<const N: usize>(String);

/// A string of at most 20 characters (idTag, vendor, model, ...).
pub type CiString20 = CiString<20>;
/// A string of at most 25 characters (serial numbers, meter type).
pub type CiString25 = CiString<25>;
/// A string of at most 50 characters (configuration keys, firmware version, messageId).
pub type CiString50 = CiString<50>;
/// A string of at most 255 characters (vendorId, diagnostics file name).
pub type CiString255 = CiString<255>;
/// A string of at most 500 characters (configuration values).
pub type CiString500 = CiString<500>;

/// A string is longer than its CiString type allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLong {
    /// The most characters the type allows.
    pub max: usize,
    /// The characters the string has.
    pub len: usize,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "string too long: {} characters, at most {} allowed",
            self.len, self.max
        )
    }
}

use crate::json::longer_than;

impl<const N: usize> CiString<N> {
    /// The most characters this type holds.
    pub const MAX_LEN: usize = N;

    /// `s` if it has at most `N` characters.
    pub fn new(s: impl Into<String>) -> Result<Self, TooLong> {
        let s = s.into();
        if longer_than(&s, N) {
            return Err(TooLong {
                max: N,
                len: s.chars().count(),
            });
        }
        Ok(CiString(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, taking ownership.
    pub fn into_string(self) -> String {
        self.0
    }

    /// OCPP's case-insensitive comparison. Only ASCII letters are folded: 1.6 §2.2 allows
    /// only printable ASCII in a CiString, and Unicode case tables would cost flash.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl<const N: usize> Deref for CiString<N> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> fmt::Display for CiString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const N: usize> PartialEq<str> for CiString<N> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<const N: usize> PartialEq<&str> for CiString<N> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<const N: usize> ToJson for CiString<N> {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.string(&self.0);
    }
}

impl<const N: usize> FromJson for CiString<N> {
    /// Longer than `N` characters: a value error (PropertyConstraintViolation); the check is
    /// not generic over `N`, so it is compiled once.
    fn read_json(r: &mut Reader<'_>) -> Result<Self, json::Error> {
        r.bounded_string(N).map(CiString)
    }
}

// ---------------------------------------------------------------------------------------
// Decimal
// ---------------------------------------------------------------------------------------

/// A JSON `number` of the schemas (limits, minimum charging rates): an `f64` that is
/// always finite, so NaN or infinity can never reach the wire.
#[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Decimal(f64);

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0.0);

    /// `v` if it is finite.
    pub fn new(v: f64) -> Option<Decimal> {
        v.is_finite().then_some(Decimal(v))
    }

    /// An integer, exactly.
    pub const fn from_int(v: i32) -> Decimal {
        Decimal(v as f64)
    }

    /// The value.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The value as an `i64` when it has no fractional part (and is within ±9e15).
    fn as_exact_int(self) -> Option<i64> {
        let v = self.0;
        if v > -EXACT && v < EXACT {
            // `as` truncates towards zero; equal only if nothing was cut off.
            let i = v as i64;
            if i as f64 == v {
                return Some(i);
            }
        }
        None
    }
}

impl ToJson for Decimal {
    /// Integral values go out as JSON integers (`16`, not `16.0`), which an
    /// `integer`-minded central system accepts; others with at most three decimals (see
    /// `Display`: no float formatting code).
    fn write_json(&self, w: &mut Writer<'_>) {
        match self.as_exact_int() {
            Some(i) => w.int(i),
            None => w.raw(json::NumText::decimal(self.0).as_str()),
        }
    }
}

impl FromJson for Decimal {
    /// Any JSON number; one beyond `f64` is a value error.
    fn read_json(r: &mut Reader<'_>) -> Result<Self, json::Error> {
        r.decimal().map(Decimal)
    }
}

impl fmt::Display for Decimal {
    /// Fixed-point with at most three decimals (rounded), without float formatting:
    /// `16`, `6.5`, `-0.125`. Magnitudes of 9e15 and more are integers: printed exactly
    /// below 1.8e19, beyond that as 14 significant digits and an exponent (`1e20`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(json::NumText::decimal(self.0).as_str())
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self)
    }
}

// ---------------------------------------------------------------------------------------
// Enumerations (1.6 §7), in the order of the JSON schemas.
// ---------------------------------------------------------------------------------------

wire_enum! {
    /// Whether an idTag may charge (1.6 §7.2).
    pub enum AuthorizationStatus {
        /// Allowed to charge.
        Accepted = "Accepted",
        /// Blocked by the central system.
        Blocked = "Blocked",
        /// Past its expiry date.
        Expired = "Expired",
        /// Unknown.
        Invalid = "Invalid",
        /// Already in a transaction elsewhere, and concurrent ones are not allowed.
        ConcurrentTx = "ConcurrentTx",
    }
}

wire_enum! {
    /// Answer to ChangeAvailability (1.6 §7.3).
    pub enum AvailabilityStatus {
        /// Changed.
        Accepted = "Accepted",
        /// Cannot change.
        Rejected = "Rejected",
        /// Will change when the running transaction ends.
        Scheduled = "Scheduled",
    }
}

wire_enum! {
    /// Requested availability (1.6 §7.4).
    pub enum AvailabilityType {
        /// Not available for charging.
        Inoperative = "Inoperative",
        /// Available for charging.
        Operative = "Operative",
    }
}

wire_enum! {
    /// Answer to CancelReservation (1.6 §7.5).
    pub enum CancelReservationStatus {
        /// Cancelled.
        Accepted = "Accepted",
        /// No such reservation.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// The error a connector reports in StatusNotification (1.6 §7.6).
    pub enum ChargePointErrorCode {
        /// The connector lock failed.
        ConnectorLockFailure = "ConnectorLockFailure",
        /// Communication with the vehicle failed.
        EVCommunicationError = "EVCommunicationError",
        /// Ground fault circuit interrupter tripped.
        GroundFailure = "GroundFailure",
        /// Temperature too high.
        HighTemperature = "HighTemperature",
        /// Software or hardware error of the charge point.
        InternalError = "InternalError",
        /// The idTag is listed locally as Accepted while the central system says otherwise.
        LocalListConflict = "LocalListConflict",
        /// No error.
        NoError = "NoError",
        /// Another error; see `info` / `vendorErrorCode`.
        OtherError = "OtherError",
        /// Over-current protection tripped.
        OverCurrentFailure = "OverCurrentFailure",
        /// Voltage too high.
        OverVoltage = "OverVoltage",
        /// Reading the power meter failed.
        PowerMeterFailure = "PowerMeterFailure",
        /// Switching the power (contactor) failed.
        PowerSwitchFailure = "PowerSwitchFailure",
        /// The idTag reader failed.
        ReaderFailure = "ReaderFailure",
        /// A reset failed.
        ResetFailure = "ResetFailure",
        /// Voltage too low.
        UnderVoltage = "UnderVoltage",
        /// Wireless signal too weak.
        WeakSignal = "WeakSignal",
    }
}

wire_enum! {
    /// The state a connector reports in StatusNotification (1.6 §7.7).
    pub enum ChargePointStatus {
        /// Free for a new user.
        Available = "Available",
        /// Occupied by a user, no transaction yet (plugged or identified).
        Preparing = "Preparing",
        /// Energy flows.
        Charging = "Charging",
        /// The charge point does not offer energy.
        SuspendedEVSE = "SuspendedEVSE",
        /// The vehicle does not take energy.
        SuspendedEV = "SuspendedEV",
        /// The transaction stopped, the connector is not yet free.
        Finishing = "Finishing",
        /// Reserved.
        Reserved = "Reserved",
        /// Made unavailable by ChangeAvailability.
        Unavailable = "Unavailable",
        /// Faulted.
        Faulted = "Faulted",
    }
}

wire_enum! {
    /// How a charging schedule's start is determined (1.6 §7.9).
    pub enum ChargingProfileKindType {
        /// Periods are relative to `startSchedule`.
        Absolute = "Absolute",
        /// Repeats daily or weekly from `startSchedule`.
        Recurring = "Recurring",
        /// Periods are relative to the start of the transaction (or now).
        Relative = "Relative",
    }
}

wire_enum! {
    /// What a charging profile limits (1.6 §7.10).
    pub enum ChargingProfilePurposeType {
        /// The whole charge point's maximum.
        ChargePointMaxProfile = "ChargePointMaxProfile",
        /// The default for new transactions.
        TxDefaultProfile = "TxDefaultProfile",
        /// One transaction.
        TxProfile = "TxProfile",
    }
}

wire_enum! {
    /// Answer to SetChargingProfile (1.6 §7.11).
    pub enum ChargingProfileStatus {
        /// Installed.
        Accepted = "Accepted",
        /// Not installed.
        Rejected = "Rejected",
        /// Smart charging is not supported.
        NotSupported = "NotSupported",
    }
}

wire_enum! {
    /// Unit of a charging schedule's limits (1.6 §7.12).
    pub enum ChargingRateUnitType {
        /// Amperes per phase.
        A = "A",
        /// Watts.
        W = "W",
    }
}

wire_enum! {
    /// Answer to ClearCache (1.6 §7.20).
    pub enum ClearCacheStatus {
        /// Cleared.
        Accepted = "Accepted",
        /// Not cleared.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// Answer to ClearChargingProfile (1.6 §7.21).
    pub enum ClearChargingProfileStatus {
        /// At least one profile was cleared.
        Accepted = "Accepted",
        /// No profile matched.
        Unknown = "Unknown",
    }
}

wire_enum! {
    /// Answer to ChangeConfiguration (1.6 §7.22).
    pub enum ConfigurationStatus {
        /// Changed and in effect.
        Accepted = "Accepted",
        /// Not changed (read-only key or invalid value).
        Rejected = "Rejected",
        /// Changed; takes effect after a reboot.
        RebootRequired = "RebootRequired",
        /// Unknown key.
        NotSupported = "NotSupported",
    }
}

wire_enum! {
    /// Answer to DataTransfer (1.6 §7.23).
    pub enum DataTransferStatus {
        /// Handled.
        Accepted = "Accepted",
        /// Refused.
        Rejected = "Rejected",
        /// The vendor is known, the messageId is not.
        UnknownMessageId = "UnknownMessageId",
        /// The vendorId is not known.
        UnknownVendorId = "UnknownVendorId",
    }
}

wire_enum! {
    /// Progress of a diagnostics upload (1.6 §7.24).
    pub enum DiagnosticsStatus {
        /// Not uploading (only in answer to a TriggerMessage).
        Idle = "Idle",
        /// Uploaded.
        Uploaded = "Uploaded",
        /// The upload failed.
        UploadFailed = "UploadFailed",
        /// Uploading.
        Uploading = "Uploading",
    }
}

wire_enum! {
    /// Progress of a firmware update (1.6 §7.25).
    pub enum FirmwareStatus {
        /// Downloaded.
        Downloaded = "Downloaded",
        /// The download failed.
        DownloadFailed = "DownloadFailed",
        /// Downloading.
        Downloading = "Downloading",
        /// Not updating (only in answer to a TriggerMessage).
        Idle = "Idle",
        /// The installation failed.
        InstallationFailed = "InstallationFailed",
        /// Installing.
        Installing = "Installing",
        /// Installed.
        Installed = "Installed",
    }
}

wire_enum! {
    /// Answer to GetCompositeSchedule (1.6 §7.26).
    pub enum GetCompositeScheduleStatus {
        /// A schedule follows.
        Accepted = "Accepted",
        /// No schedule can be given.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// Where a measurement is taken (1.6 §7.30).
    pub enum Location {
        /// At the connector's cable.
        Cable = "Cable",
        /// In the vehicle.
        EV = "EV",
        /// At the network inlet of the charge point.
        Inlet = "Inlet",
        /// At the connector (the default).
        Outlet = "Outlet",
        /// Inside the charge point's body.
        Body = "Body",
    }
}

wire_enum! {
    /// What a sampled value measures (1.6 §7.31); `Energy.Active.Import.Register` is the
    /// default.
    pub enum Measurand {
        /// Energy to the grid, register.
        EnergyActiveExportRegister = "Energy.Active.Export.Register",
        /// Energy from the grid, register.
        EnergyActiveImportRegister = "Energy.Active.Import.Register",
        /// Reactive energy to the grid, register.
        EnergyReactiveExportRegister = "Energy.Reactive.Export.Register",
        /// Reactive energy from the grid, register.
        EnergyReactiveImportRegister = "Energy.Reactive.Import.Register",
        /// Energy to the grid during the interval.
        EnergyActiveExportInterval = "Energy.Active.Export.Interval",
        /// Energy from the grid during the interval.
        EnergyActiveImportInterval = "Energy.Active.Import.Interval",
        /// Reactive energy to the grid during the interval.
        EnergyReactiveExportInterval = "Energy.Reactive.Export.Interval",
        /// Reactive energy from the grid during the interval.
        EnergyReactiveImportInterval = "Energy.Reactive.Import.Interval",
        /// Instantaneous power to the grid.
        PowerActiveExport = "Power.Active.Export",
        /// Instantaneous power from the grid.
        PowerActiveImport = "Power.Active.Import",
        /// Maximum power offered to the vehicle.
        PowerOffered = "Power.Offered",
        /// Instantaneous reactive power to the grid.
        PowerReactiveExport = "Power.Reactive.Export",
        /// Instantaneous reactive power from the grid.
        PowerReactiveImport = "Power.Reactive.Import",
        /// Power factor.
        PowerFactor = "Power.Factor",
        /// Current to the vehicle.
        CurrentImport = "Current.Import",
        /// Current from the vehicle.
        CurrentExport = "Current.Export",
        /// Maximum current offered to the vehicle.
        CurrentOffered = "Current.Offered",
        /// AC RMS voltage.
        Voltage = "Voltage",
        /// Grid frequency.
        Frequency = "Frequency",
        /// Temperature.
        Temperature = "Temperature",
        /// The vehicle's state of charge, in percent.
        SoC = "SoC",
        /// Fan speed.
        Rpm = "RPM",
    }
}

wire_enum! {
    /// The message TriggerMessage asks for (1.6 §7.32).
    pub enum MessageTrigger {
        /// BootNotification.
        BootNotification = "BootNotification",
        /// DiagnosticsStatusNotification.
        DiagnosticsStatusNotification = "DiagnosticsStatusNotification",
        /// FirmwareStatusNotification.
        FirmwareStatusNotification = "FirmwareStatusNotification",
        /// Heartbeat.
        Heartbeat = "Heartbeat",
        /// MeterValues.
        MeterValues = "MeterValues",
        /// StatusNotification.
        StatusNotification = "StatusNotification",
    }
}

wire_enum! {
    /// The phase(s) a sampled value refers to (1.6 §7.34).
    pub enum Phase {
        /// Phase 1 (current) or phase 1 to neutral (voltage).
        L1 = "L1",
        /// Phase 2.
        L2 = "L2",
        /// Phase 3.
        L3 = "L3",
        /// Neutral.
        N = "N",
        /// Phase 1 to neutral.
        L1N = "L1-N",
        /// Phase 2 to neutral.
        L2N = "L2-N",
        /// Phase 3 to neutral.
        L3N = "L3-N",
        /// Phase 1 to phase 2.
        L1L2 = "L1-L2",
        /// Phase 2 to phase 3.
        L2L3 = "L2-L3",
        /// Phase 3 to phase 1.
        L3L1 = "L3-L1",
    }
}

wire_enum! {
    /// Why a value was sampled (1.6 §7.35); `Sample.Periodic` is the default.
    pub enum ReadingContext {
        /// At the start of a power interruption.
        InterruptionBegin = "Interruption.Begin",
        /// At the end of a power interruption.
        InterruptionEnd = "Interruption.End",
        /// At a clock-aligned interval.
        SampleClock = "Sample.Clock",
        /// At a periodic sample interval.
        SamplePeriodic = "Sample.Periodic",
        /// At the start of a transaction.
        TransactionBegin = "Transaction.Begin",
        /// At the end of a transaction.
        TransactionEnd = "Transaction.End",
        /// In answer to a TriggerMessage.
        Trigger = "Trigger",
        /// For another reason.
        Other = "Other",
    }
}

wire_enum! {
    /// Why a transaction stopped (1.6 §7.36); `Local` is the default.
    pub enum Reason {
        /// The emergency stop button was pressed.
        EmergencyStop = "EmergencyStop",
        /// The vehicle was disconnected.
        EVDisconnected = "EVDisconnected",
        /// A hard reset.
        HardReset = "HardReset",
        /// Stopped locally (idTag presented again, button).
        Local = "Local",
        /// Another reason.
        Other = "Other",
        /// Power loss.
        PowerLoss = "PowerLoss",
        /// A reboot not asked for by the central system.
        Reboot = "Reboot",
        /// RemoteStopTransaction.
        Remote = "Remote",
        /// A soft reset.
        SoftReset = "SoftReset",
        /// UnlockConnector.
        UnlockCommand = "UnlockCommand",
        /// The idTag was refused in StartTransaction.conf.
        DeAuthorized = "DeAuthorized",
    }
}

wire_enum! {
    /// The period of a recurring charging profile (1.6 §7.37).
    pub enum RecurrencyKindType {
        /// Every 24 hours from `startSchedule`.
        Daily = "Daily",
        /// Every 7 days from `startSchedule`.
        Weekly = "Weekly",
    }
}

wire_enum! {
    /// Answer to BootNotification (1.6 §7.38).
    pub enum RegistrationStatus {
        /// Registered.
        Accepted = "Accepted",
        /// Not yet: the central system will send requests first; retry after `interval`.
        Pending = "Pending",
        /// Refused; retry after `interval`.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// Answer to RemoteStartTransaction / RemoteStopTransaction (1.6 §7.39).
    pub enum RemoteStartStopStatus {
        /// Will be attempted.
        Accepted = "Accepted",
        /// Refused.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// Answer to ReserveNow (1.6 §7.40).
    pub enum ReservationStatus {
        /// Reserved.
        Accepted = "Accepted",
        /// The connector is faulted.
        Faulted = "Faulted",
        /// The connector is occupied or reserved.
        Occupied = "Occupied",
        /// Reservations are not accepted.
        Rejected = "Rejected",
        /// The connector is unavailable.
        Unavailable = "Unavailable",
    }
}

wire_enum! {
    /// Answer to Reset (1.6 §7.41).
    pub enum ResetStatus {
        /// Will reset.
        Accepted = "Accepted",
        /// Will not reset.
        Rejected = "Rejected",
    }
}

wire_enum! {
    /// Kind of reset (1.6 §7.42).
    pub enum ResetType {
        /// Restart the hardware.
        Hard = "Hard",
        /// Restart the software, stopping transactions gracefully.
        Soft = "Soft",
    }
}

wire_enum! {
    /// Answer to TriggerMessage (1.6 §7.44).
    pub enum TriggerMessageStatus {
        /// Will be sent.
        Accepted = "Accepted",
        /// Will not be sent.
        Rejected = "Rejected",
        /// The requested message is not implemented.
        NotImplemented = "NotImplemented",
    }
}

wire_enum! {
    /// Unit of a sampled value (1.6 §7.45); `Wh` is the default.
    ///
    /// `Celcius` (the schemas list both spellings) is read as [`UnitOfMeasure::Celsius`];
    /// `Celsius` is written. `Hertz` is in the MeterValues schema only: StopTransaction's
    /// `transactionData` schema rejects it, and some central systems (evcc) reject the
    /// whole MeterValues frame for it.
    pub enum UnitOfMeasure {
        /// Watt-hours (energy).
        Wh = "Wh",
        /// Kilowatt-hours (energy).
        KWh = "kWh",
        /// Var-hours (reactive energy).
        Varh = "varh",
        /// Kilovar-hours (reactive energy).
        Kvarh = "kvarh",
        /// Watts (power).
        W = "W",
        /// Kilowatts (power).
        KW = "kW",
        /// Volt-amperes (apparent power).
        VA = "VA",
        /// Kilovolt-amperes (apparent power).
        KVA = "kVA",
        /// Vars (reactive power).
        Var = "var",
        /// Kilovars (reactive power).
        Kvar = "kvar",
        /// Amperes.
        A = "A",
        /// Volts.
        V = "V",
        /// Kelvin.
        K = "K",
        /// Degrees Celsius.
        Celsius = "Celsius",
        /// Degrees Fahrenheit.
        Fahrenheit = "Fahrenheit",
        /// Percent.
        Percent = "Percent",
        /// Hertz (MeterValues only; see the type's documentation).
        Hertz = "Hertz",
    }
    aliases {
        "Celcius" => Celsius,
    }
}

wire_enum! {
    /// Answer to UnlockConnector (1.6 §7.46).
    pub enum UnlockStatus {
        /// Unlocked.
        Unlocked = "Unlocked",
        /// Unlocking failed.
        UnlockFailed = "UnlockFailed",
        /// The connector has no lock.
        NotSupported = "NotSupported",
    }
}

wire_enum! {
    /// Answer to SendLocalList (1.6 §7.47).
    pub enum UpdateStatus {
        /// Updated.
        Accepted = "Accepted",
        /// The update failed.
        Failed = "Failed",
        /// There is no local authorization list.
        NotSupported = "NotSupported",
        /// A differential update does not fit the list's version.
        VersionMismatch = "VersionMismatch",
    }
}

wire_enum! {
    /// Kind of SendLocalList (1.6 §7.48).
    pub enum UpdateType {
        /// Change the listed entries.
        Differential = "Differential",
        /// Replace the whole list.
        Full = "Full",
    }
}

wire_enum! {
    /// Format of a sampled value (1.6 §7.49); `Raw` is the default.
    pub enum ValueFormat {
        /// A decimal number as text.
        Raw = "Raw",
        /// A signed binary block, encoded as hex.
        SignedData = "SignedData",
    }
}

// ---------------------------------------------------------------------------------------
// Composite types (1.6 §7)
// ---------------------------------------------------------------------------------------

json_object! {
    /// The central system's verdict on an idTag (1.6 §7.27).
    ///
    /// As lenient as the message it is in: unknown fields are skipped in the confirmations of
    /// Authorize, StartTransaction and StopTransaction, which must not fail on extra fields,
    /// and refused inside SendLocalList (its schema has `additionalProperties: false`). Read on
    /// its own, it is lenient.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct IdTagInfo [lenient] {
        /// Until when the idTag is valid.
        opt expiry_date: DateTime = "expiryDate",
        /// The idTag's group (parent).
        opt parent_id_tag: CiString20 = "parentIdTag",
        /// Whether the idTag may charge.
        req status: AuthorizationStatus = "status",
    }
}

json_object! {
    /// One entry of the local authorization list in SendLocalList (1.6 §7.1).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AuthorizationData {
        /// The idTag.
        req id_tag: CiString20 = "idTag",
        /// Its verdict; absent in a Differential update means: remove the entry.
        opt id_tag_info: IdTagInfo = "idTagInfo",
    }
}

json_object! {
    /// One sampled value of a meter (1.6 §7.43). Only `value` is required; the others have
    /// the defaults the spec names on their types.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SampledValue {
        /// The value as text (a decimal number when `format` is Raw).
        req value: String = "value",
        /// Why it was sampled (default `Sample.Periodic`).
        opt context: ReadingContext = "context",
        /// Raw or signed (default Raw).
        opt format: ValueFormat = "format",
        /// What was measured (default `Energy.Active.Import.Register`).
        opt measurand: Measurand = "measurand",
        /// Which phase(s); absent means all phases together.
        opt phase: Phase = "phase",
        /// Where it was measured (default Outlet).
        opt location: Location = "location",
        /// The unit (default Wh).
        opt unit: UnitOfMeasure = "unit",
    }
}

json_object! {
    /// Sampled values taken at one instant (1.6 §7.33).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct MeterValue {
        /// When they were taken.
        req timestamp: DateTime = "timestamp",
        /// The values (1.6 §7.33: at least one).
        req sampled_value: Vec<SampledValue> = "sampledValue" with crate::json::non_empty,
    }
}

json_object! {
    /// One period of a charging schedule (1.6 §7.14).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ChargingSchedulePeriod {
        /// Seconds from the start of the schedule.
        req start_period: i32 = "startPeriod",
        /// The limit, in the schedule's unit.
        req limit: Decimal = "limit",
        /// How many phases may be used (default 3).
        opt number_phases: i32 = "numberPhases",
    }
}

json_object! {
    /// A list of limits over time (1.6 §7.13).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ChargingSchedule {
        /// Seconds the schedule lasts; absent: until the last period is replaced or the
        /// transaction ends.
        opt duration: i32 = "duration",
        /// When it starts (required in practice for Absolute and Recurring profiles).
        opt start_schedule: DateTime = "startSchedule",
        /// Unit of every `limit`.
        req charging_rate_unit: ChargingRateUnitType = "chargingRateUnit",
        /// The periods, `startPeriod` ascending, the first starting at 0.
        req charging_schedule_period: Vec<ChargingSchedulePeriod> = "chargingSchedulePeriod",
        /// The lowest rate the vehicle charges at efficiently.
        opt min_charging_rate: Decimal = "minChargingRate",
    }
}

json_object! {
    /// A charging profile (1.6 §7.8).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ChargingProfile {
        /// The profile's id, unique per charge point.
        req charging_profile_id: i32 = "chargingProfileId",
        /// The transaction a TxProfile is for.
        opt transaction_id: i32 = "transactionId",
        /// Priority among profiles of the same purpose; higher wins.
        req stack_level: i32 = "stackLevel",
        /// What it limits.
        req charging_profile_purpose: ChargingProfilePurposeType = "chargingProfilePurpose",
        /// How its schedule's start is determined.
        req charging_profile_kind: ChargingProfileKindType = "chargingProfileKind",
        /// The period of a Recurring profile.
        opt recurrency_kind: RecurrencyKindType = "recurrencyKind",
        /// Valid from (default: now).
        opt valid_from: DateTime = "validFrom",
        /// Valid until (default: forever).
        opt valid_to: DateTime = "validTo",
        /// The limits over time.
        req charging_schedule: ChargingSchedule = "chargingSchedule",
    }
}

json_object! {
    /// One configuration key and its value in GetConfiguration.conf (1.6 §7.29).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct KeyValue {
        /// The key.
        req key: CiString50 = "key",
        /// Whether ChangeConfiguration may change it.
        req readonly: bool = "readonly",
        /// Its value; absent when it has none (or is write-only, like AuthorizationKey).
        opt value: CiString500 = "value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::test_util::{assert_rejects, round_trip};

    fn to_json(v: &dyn ToJson) -> Result<alloc::string::String, ()> {
        Ok(json::to_string(v))
    }
    use alloc::string::ToString;

    #[test]
    fn cistring_counts_characters_not_bytes() {
        // 20 characters, 40 bytes.
        let twenty = "\u{e9}".repeat(20);
        assert!(CiString20::new(twenty.as_str()).is_ok());
        let too_long = CiString20::new("\u{e9}".repeat(21));
        assert_eq!(too_long, Err(TooLong { max: 20, len: 21 }));
        assert_eq!(
            too_long.unwrap_err().to_string(),
            "string too long: 21 characters, at most 20 allowed"
        );
        let json = alloc::format!("\"{}\"", twenty);
        let s: CiString20 = json::from_str(&json).unwrap();
        assert_eq!(s.chars().count(), 20);
    }

    #[test]
    fn cistring_deserialize_rejects_long_strings_with_the_agreed_prefix() {
        assert_rejects::<CiString20>(r#""123456789012345678901""#, "string too long");
        // Escapes are decoded before counting: 20 characters.
        let s: CiString20 = json::from_str(r#""\u00e9234567890123456789\n""#).unwrap();
        assert_eq!(s.as_str().chars().count(), 20);
        assert_rejects::<CiString20>(
            "20",
            "invalid type: integer `20`, expected a string of at most 20 characters",
        );
        assert_eq!(to_json(&s).unwrap(), r#""é234567890123456789\n""#);
    }

    #[test]
    fn cistring_comparisons() {
        let tag = CiString20::new("04a2b3C4").unwrap();
        assert!(tag.eq_ignore_case("04A2B3C4"));
        assert!(!tag.eq_ignore_case("04A2B3C5"));
        assert!(tag == *"04a2b3C4");
        assert!(tag == "04a2b3C4");
        assert!(tag != "04A2B3C4");
        assert_eq!(tag.len(), 8); // through Deref<Target = str>
        assert_eq!(tag.to_string(), "04a2b3C4");
        assert_eq!(CiString500::MAX_LEN, 500);
    }

    #[test]
    fn decimal_is_always_finite() {
        assert_eq!(Decimal::new(f64::NAN), None);
        assert_eq!(Decimal::new(f64::INFINITY), None);
        assert_eq!(Decimal::new(f64::NEG_INFINITY), None);
        assert_eq!(Decimal::new(6.5).map(Decimal::get), Some(6.5));
        // JSON has no NaN; a number too large for f64 is refused by the parser.
        assert!(json::from_str::<Decimal>("1e400").is_err());
        assert!(json::from_str::<Decimal>("NaN").is_err());
        assert_rejects::<Decimal>(r#""16""#, "invalid type: string");
        assert_rejects::<Decimal>("1e400", "number out of range");
    }

    #[test]
    fn decimal_wire_form() {
        let to = |v: f64| to_json(&Decimal::new(v).unwrap()).unwrap();
        assert_eq!(to(16.0), "16");
        assert_eq!(to(-0.0), "0");
        assert_eq!(to(6.5), "6.5");
        assert_eq!(to(0.1), "0.1");
        assert_eq!(to(-3.0), "-3");
        // Written without float formatting code: integers as such, others to three decimals.
        assert_eq!(to(1e20), "1e20");
        assert_eq!(to(0.1234), "0.123");
        assert_eq!(to_json(&Decimal::from_int(i32::MIN)).unwrap(), "-2147483648");
        let from = |s: &str| json::from_str::<Decimal>(s).unwrap().get();
        assert_eq!(from("16"), 16.0);
        assert_eq!(from("-16"), -16.0);
        assert_eq!(from("16.0"), 16.0);
        assert_eq!(from("7.36e3"), 7360.0);
        assert_eq!(from("18446744073709551615"), 18_446_744_073_709_551_615.0);
    }

    #[test]
    fn decimal_display_uses_no_float_formatting() {
        let d = |v: f64| Decimal::new(v).unwrap().to_string();
        assert_eq!(d(16.0), "16");
        assert_eq!(d(6.5), "6.5");
        assert_eq!(d(0.25), "0.25");
        assert_eq!(d(-0.125), "-0.125");
        assert_eq!(d(0.1), "0.1");
        assert_eq!(d(1.0005), "1.001");
        assert_eq!(d(-0.0001), "0");
        assert_eq!(d(8_999_999_999_999.5), "8999999999999.5");
        assert_eq!(d(1e16), "10000000000000000");
        assert_eq!(d(-18_014_398_509_481_984.0), "-18014398509481984");
        assert_eq!(d(1e20), "1e20");
        assert_eq!(d(-1.25e20), "-125e18");
        // Beyond u64: 14 significant digits and an exponent, reading back within 1e-12
        // (f64::MAX stays finite).
        for v in [-1e300, f64::MAX, f64::MIN, 3.3e19, 123_456_789e20, 9.99999999999999e30] {
            let text = d(v);
            let back: f64 = text.parse().unwrap();
            assert!(back.is_finite() && ((back - v) / v).abs() < 1e-12, "{v} -> {text}");
            assert!(text.len() <= 20 && text.contains('e'), "{text}");
        }
        assert_eq!(alloc::format!("{:?}", Decimal::from_int(230)), "Decimal(230)");
    }

    #[test]
    fn enums_have_one_table_for_every_direction() {
        assert_eq!(Measurand::ALL.len(), 22);
        for m in Measurand::ALL {
            assert_eq!(Measurand::from_wire(m.as_str()), Some(m));
        }
        assert_eq!(
            Measurand::EnergyActiveImportRegister.as_str(),
            "Energy.Active.Import.Register"
        );
        assert_eq!(Phase::L1N.as_str(), "L1-N");
        assert_eq!(ReadingContext::SamplePeriodic.as_str(), "Sample.Periodic");
        assert_eq!(UnitOfMeasure::KWh.as_str(), "kWh");
        assert_eq!(Measurand::from_wire("energy.active.import.register"), None);
        assert_eq!(Measurand::from_wire("Power"), None);
        assert_eq!(ChargePointErrorCode::ALL.len(), 16);
        assert_eq!(ChargePointStatus::ALL.len(), 9);
        assert_eq!(Reason::ALL.len(), 11);
        assert_eq!(Phase::ALL.len(), 10);
        assert_eq!(ReadingContext::ALL.len(), 8);
    }

    #[test]
    fn celcius_is_read_but_celsius_is_written() {
        assert_eq!(UnitOfMeasure::from_wire("Celcius"), Some(UnitOfMeasure::Celsius));
        let u: UnitOfMeasure = json::from_str(r#""Celcius""#).unwrap();
        assert_eq!(u, UnitOfMeasure::Celsius);
        assert_eq!(to_json(&u).unwrap(), r#""Celsius""#);
        assert_eq!(UnitOfMeasure::ALL.len(), 17);
    }

    #[test]
    fn enum_errors() {
        assert_rejects::<ChargePointStatus>(
            r#""Occupied""#,
            "unknown variant `Occupied`, expected one of `Available`",
        );
        assert_rejects::<ChargePointStatus>(r#""available""#, "unknown variant `available`");
        assert_rejects::<ChargePointStatus>("1", "invalid type: integer `1`");
    }

    #[test]
    fn id_tag_info_is_lenient() {
        let info: IdTagInfo =
            round_trip(r#"{"status":"Accepted","expiryDate":"2026-06-30T23:59:59Z","parentIdTag":"FLEET-7"}"#);
        assert_eq!(info.status, AuthorizationStatus::Accepted);
        assert_eq!(info.parent_id_tag.as_deref(), Some("FLEET-7"));
        let extra: IdTagInfo = json::from_str(r#"{"status":"Blocked","groupIdToken":"x"}"#).unwrap();
        assert_eq!(extra.status, AuthorizationStatus::Blocked);
        assert_rejects::<IdTagInfo>(r#"{"expiryDate":"2026-06-30T23:59:59Z"}"#, "missing field `status`");
    }

    #[test]
    fn meter_value_needs_a_sample() {
        let mv: MeterValue = round_trip(
            r#"{"timestamp":"2026-03-01T10:00:00Z","sampledValue":[{"value":"230.1","context":"Sample.Clock","format":"Raw","measurand":"Voltage","phase":"L1-N","location":"Outlet","unit":"V"}]}"#,
        );
        assert_eq!(mv.sampled_value.first().and_then(|s| s.phase), Some(Phase::L1N));
        assert_rejects::<MeterValue>(
            r#"{"timestamp":"2026-03-01T10:00:00Z","sampledValue":[]}"#,
            "invalid length 0, expected at least one item",
        );
        assert_rejects::<SampledValue>(r#"{"value":"1","unit":"Hz"}"#, "unknown variant `Hz`");
        assert_rejects::<SampledValue>(r#"{"value":1}"#, "invalid type: integer `1`");
    }

    #[test]
    fn key_value_round_trip() {
        let kv: KeyValue = round_trip(r#"{"key":"HeartbeatInterval","readonly":false,"value":"300"}"#);
        assert!(!kv.readonly);
        let kv: KeyValue = round_trip(r#"{"key":"AuthorizationKey","readonly":false}"#);
        assert_eq!(kv.value, None);
        assert_rejects::<KeyValue>(r#"{"key":"K","readonly":"false"}"#, "invalid type: string");
    }
}
