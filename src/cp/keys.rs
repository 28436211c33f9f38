//! Configuration keys (OCPP 1.6 §9): one table that names every standard key this build
//! supports with its type, access and bounds, plus the values and the vendor keys the host
//! declares. GetConfiguration and ChangeConfiguration are answered from here.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::json::Writer;
use crate::messages::{CiString50, ConfigurationStatus, Measurand, Profile};

/// A standard configuration key (its discriminant indexes the key table).
#[allow(missing_docs)] // each variant is the OCPP key of the same name (1.6 §9.1)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Key {
    AllowOfflineTxForUnknownId,
    AuthorizeRemoteTxRequests,
    ClockAlignedDataInterval,
    ConnectionTimeOut,
    ConnectorPhaseRotation,
    ConnectorPhaseRotationMaxLength,
    GetConfigurationMaxKeys,
    HeartbeatInterval,
    LocalAuthorizeOffline,
    LocalPreAuthorize,
    MeterValuesAlignedData,
    MeterValuesAlignedDataMaxLength,
    MeterValuesSampledData,
    MeterValuesSampledDataMaxLength,
    MeterValueSampleInterval,
    MinimumStatusDuration,
    NumberOfConnectors,
    ResetRetries,
    StopTransactionOnEVSideDisconnect,
    StopTransactionOnInvalidId,
    StopTxnAlignedData,
    StopTxnAlignedDataMaxLength,
    StopTxnSampledData,
    StopTxnSampledDataMaxLength,
    SupportedFeatureProfiles,
    TransactionMessageAttempts,
    TransactionMessageRetryInterval,
    UnlockConnectorOnEVSideDisconnect,
    WebSocketPingInterval,
    AuthorizationKey,
    AuthorizationCacheEnabled,
    LocalAuthListEnabled,
    LocalAuthListMaxLength,
    SendLocalListMaxLength,
    ReserveConnectorZeroSupported,
    ChargeProfileMaxStackLevel,
    ChargingScheduleAllowedChargingRateUnit,
    ChargingScheduleMaxPeriods,
    MaxChargingProfilesInstalled,
    ConnectorSwitch3to1PhaseSupported,
}

/// What values a key takes.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool,
    Int {
        min: i32,
        max: i32,
    },
    /// Comma-separated measurands; the length limit is the value of the named key.
    Measurands(Key),
    /// `connector.rotation` items (1.6 §9.1.7).
    PhaseRotation,
    /// Read-only text.
    Text,
    /// AuthorizationKey: 16 to 40 characters (security whitepaper, profile 1).
    Secret,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
    WriteOnly,
}

struct KeyDef {
    name: &'static str,
    kind: Kind,
    access: Access,
    /// Keys of a profile left out of the build do not exist.
    profile: Profile,
}

const fn rw(name: &'static str, kind: Kind) -> KeyDef {
    KeyDef {
        name,
        kind,
        access: Access::ReadWrite,
        profile: Profile::Core,
    }
}
const fn ro(name: &'static str, kind: Kind) -> KeyDef {
    KeyDef {
        name,
        kind,
        access: Access::ReadOnly,
        profile: Profile::Core,
    }
}
const fn of(profile: Profile, def: KeyDef) -> KeyDef {
    KeyDef {
        name: def.name,
        kind: def.kind,
        access: def.access,
        profile,
    }
}

const INT: Kind = Kind::Int { min: 0, max: i32::MAX };
const MAX_LIST: i32 = 16;
/// LocalAuthListMaxLength: entries in the local authorization list.
pub const LOCAL_LIST_MAX: i32 = 64;
/// SendLocalListMaxLength: entries in one SendLocalList.
pub const SEND_LOCAL_LIST_MAX: i32 = 32;
/// ChargeProfileMaxStackLevel.
pub const MAX_STACK_LEVEL: i32 = 8;
/// ChargingScheduleMaxPeriods.
pub const MAX_PERIODS: i32 = 24;
/// MaxChargingProfilesInstalled.
pub const MAX_PROFILES: i32 = 16;

/// Every standard key, in the order of [`Key`].
static KEYS: [KeyDef; 40] = [
    rw("AllowOfflineTxForUnknownId", Kind::Bool),
    rw("AuthorizeRemoteTxRequests", Kind::Bool),
    rw("ClockAlignedDataInterval", INT),
    rw("ConnectionTimeOut", INT),
    rw("ConnectorPhaseRotation", Kind::PhaseRotation),
    ro("ConnectorPhaseRotationMaxLength", INT),
    ro("GetConfigurationMaxKeys", INT),
    rw("HeartbeatInterval", INT),
    rw("LocalAuthorizeOffline", Kind::Bool),
    rw("LocalPreAuthorize", Kind::Bool),
    rw(
        "MeterValuesAlignedData",
        Kind::Measurands(Key::MeterValuesAlignedDataMaxLength),
    ),
    ro("MeterValuesAlignedDataMaxLength", INT),
    rw(
        "MeterValuesSampledData",
        Kind::Measurands(Key::MeterValuesSampledDataMaxLength),
    ),
    ro("MeterValuesSampledDataMaxLength", INT),
    rw("MeterValueSampleInterval", INT),
    rw("MinimumStatusDuration", INT),
    ro("NumberOfConnectors", INT),
    rw("ResetRetries", Kind::Int { min: 0, max: 100 }),
    rw("StopTransactionOnEVSideDisconnect", Kind::Bool),
    rw("StopTransactionOnInvalidId", Kind::Bool),
    rw("StopTxnAlignedData", Kind::Measurands(Key::StopTxnAlignedDataMaxLength)),
    ro("StopTxnAlignedDataMaxLength", INT),
    rw("StopTxnSampledData", Kind::Measurands(Key::StopTxnSampledDataMaxLength)),
    ro("StopTxnSampledDataMaxLength", INT),
    ro("SupportedFeatureProfiles", Kind::Text),
    rw("TransactionMessageAttempts", Kind::Int { min: 1, max: 100 }),
    rw("TransactionMessageRetryInterval", INT),
    rw("UnlockConnectorOnEVSideDisconnect", Kind::Bool),
    rw("WebSocketPingInterval", INT),
    KeyDef {
        name: "AuthorizationKey",
        kind: Kind::Secret,
        access: Access::WriteOnly,
        profile: Profile::Core,
    },
    // The Authorization Cache is built with the local list (both live in auth_store).
    of(
        Profile::LocalAuthListManagement,
        rw("AuthorizationCacheEnabled", Kind::Bool),
    ),
    of(Profile::LocalAuthListManagement, rw("LocalAuthListEnabled", Kind::Bool)),
    of(Profile::LocalAuthListManagement, ro("LocalAuthListMaxLength", INT)),
    of(Profile::LocalAuthListManagement, ro("SendLocalListMaxLength", INT)),
    of(Profile::Reservation, ro("ReserveConnectorZeroSupported", Kind::Bool)),
    of(Profile::SmartCharging, ro("ChargeProfileMaxStackLevel", INT)),
    of(
        Profile::SmartCharging,
        ro("ChargingScheduleAllowedChargingRateUnit", Kind::Text),
    ),
    of(Profile::SmartCharging, ro("ChargingScheduleMaxPeriods", INT)),
    of(Profile::SmartCharging, ro("MaxChargingProfilesInstalled", INT)),
    of(
        Profile::SmartCharging,
        ro("ConnectorSwitch3to1PhaseSupported", Kind::Bool),
    ),
];

/// A value of a configuration key.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i32),
    /// A comma-separated list of measurands.
    Measurands(Vec<Measurand>),
    /// Free text.
    Text(String),
}

impl Value {
    /// The value as a JSON string, written in parts (no copy of it first).
    fn write_json_string(&self, w: &mut Writer<'_>) {
        w.begin_string();
        match self {
            Value::Bool(b) => w.string_part(if *b { "true" } else { "false" }),
            Value::Int(i) => w.string_part_int(i64::from(*i)),
            Value::Measurands(list) => {
                for (i, m) in list.iter().enumerate() {
                    if i > 0 {
                        w.string_part(",");
                    }
                    w.string_part(m.as_str());
                }
            }
            Value::Text(t) => w.string_part(t),
        }
        w.end_string();
    }

    /// Whether the value as written has more than `max` characters.
    fn longer_than(&self, max: usize) -> bool {
        match self {
            Value::Bool(_) | Value::Int(_) => false,
            // Measurand names are ASCII: bytes are characters.
            Value::Measurands(list) => list.iter().map(|m| m.as_str().len() + 1).sum::<usize>() > max + 1,
            Value::Text(t) => crate::json::longer_than(t, max),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Measurands(list) => {
                for (i, m) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(m.as_str());
                }
            }
            Value::Text(t) => out.push_str(t),
        }
    }

    /// The value as OCPP writes it in GetConfiguration.
    pub fn to_wire(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }
}

/// A key the host declares beyond the standard ones (e.g. a vendor's LED brightness).
#[derive(Clone, Debug)]
pub struct VendorKey {
    /// Key name (at most 50 characters).
    pub name: String,
    /// Current value (at most 500 characters).
    pub value: String,
    /// Whether the central system may change it.
    pub readonly: bool,
}

/// One entry of a GetConfiguration answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key's name.
    pub name: String,
    /// Whether it is read-only.
    pub readonly: bool,
    /// Its value; `None` for write-only keys.
    pub value: Option<String>,
}

/// Which key a successful change touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Changed {
    /// A standard key.
    Standard(Key),
    /// The vendor key at this index.
    Vendor(usize),
}

/// The configuration of one charge point.
#[derive(Clone, Debug)]
pub struct Configuration {
    values: Vec<Value>,
    vendor: Vec<VendorKey>,
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_int(s: &str) -> Option<i32> {
    // Plain decimal digits only: "+5", " 5" and "5.0" are not integers on the wire.
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_measurands(s: &str, max: usize) -> Option<Vec<Measurand>> {
    let mut list = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let m = Measurand::from_wire(item)?;
        if !list.contains(&m) {
            list.push(m);
        }
    }
    (list.len() <= max).then_some(list)
}

fn valid_phase_rotation(s: &str) -> bool {
    const ROTATIONS: [&str; 8] = ["NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"];
    s.split(',').map(str::trim).all(|item| {
        item.split_once('.')
            .is_some_and(|(c, r)| parse_int(c).is_some_and(|c| c >= 0) && ROTATIONS.contains(&r))
    })
}

/// Whether the key's profile is in this build.
fn built(def: &KeyDef) -> bool {
    super::supported_profiles_list().contains(&def.profile)
}

/// The value a key has until someone changes it.
fn default_value(key: Key, connectors: i32, profiles: &str) -> Value {
    use Key::*;
    match key {
        AllowOfflineTxForUnknownId | AuthorizeRemoteTxRequests | LocalPreAuthorize => Value::Bool(false),
        LocalAuthorizeOffline
        | StopTransactionOnEVSideDisconnect
        | StopTransactionOnInvalidId
        | UnlockConnectorOnEVSideDisconnect => Value::Bool(true),
        ClockAlignedDataInterval | MinimumStatusDuration => Value::Int(0),
        ConnectionTimeOut | MeterValueSampleInterval | TransactionMessageRetryInterval => Value::Int(60),
        HeartbeatInterval => Value::Int(86_400),
        WebSocketPingInterval => Value::Int(30),
        GetConfigurationMaxKeys => Value::Int(crate::messages::GET_CONFIGURATION_MAX_KEYS as i32),
        TransactionMessageAttempts => Value::Int(3),
        ResetRetries => Value::Int(1),
        NumberOfConnectors => Value::Int(connectors),
        ConnectorPhaseRotationMaxLength => Value::Int(connectors.saturating_add(1)),
        MeterValuesAlignedDataMaxLength
        | MeterValuesSampledDataMaxLength
        | StopTxnAlignedDataMaxLength
        | StopTxnSampledDataMaxLength => Value::Int(MAX_LIST),
        MeterValuesSampledData => Value::Measurands(Vec::from([
            Measurand::EnergyActiveImportRegister,
            Measurand::PowerActiveImport,
        ])),
        MeterValuesAlignedData | StopTxnAlignedData | StopTxnSampledData => Value::Measurands(Vec::new()),
        ConnectorPhaseRotation => Value::Text("0.Unknown".to_string()),
        SupportedFeatureProfiles => Value::Text(profiles.to_string()),
        AuthorizationKey => Value::Text(String::new()),
        AuthorizationCacheEnabled | LocalAuthListEnabled | ReserveConnectorZeroSupported => Value::Bool(true),
        ConnectorSwitch3to1PhaseSupported => Value::Bool(false),
        LocalAuthListMaxLength => Value::Int(LOCAL_LIST_MAX),
        SendLocalListMaxLength => Value::Int(SEND_LOCAL_LIST_MAX),
        ChargeProfileMaxStackLevel => Value::Int(MAX_STACK_LEVEL),
        ChargingScheduleAllowedChargingRateUnit => Value::Text("Current,Power".to_string()),
        ChargingScheduleMaxPeriods => Value::Int(MAX_PERIODS),
        MaxChargingProfilesInstalled => Value::Int(MAX_PROFILES),
    }
}

impl Configuration {
    /// The defaults for a charge point with `connectors` connectors and the given profiles.
    pub fn new(connectors: u32, profiles: &str) -> Self {
        let n = i32::try_from(connectors).unwrap_or(i32::MAX);
        let values = ALL_KEYS.iter().map(|k| default_value(*k, n, profiles)).collect();
        Configuration {
            values,
            vendor: Vec::new(),
        }
    }

    /// Sets a boolean key that states a fact about the charger, read-only keys included
    /// (ConnectorSwitch3to1PhaseSupported from the hardware); other kinds are left alone.
    pub fn set_fact(&mut self, key: Key, value: bool) {
        if let Some(v @ Value::Bool(_)) = self.values.get_mut(key as usize) {
            *v = Value::Bool(value);
        }
    }

    /// Adds a vendor key (replacing one of the same name).
    pub fn declare_vendor_key(&mut self, key: VendorKey) {
        match self.vendor.iter_mut().find(|k| k.name.eq_ignore_ascii_case(&key.name)) {
            Some(existing) => *existing = key,
            None => self.vendor.push(key),
        }
    }

    /// The vendor keys, in declaration order.
    pub fn vendor_keys(&self) -> &[VendorKey] {
        &self.vendor
    }

    fn value(&self, key: Key) -> Option<&Value> {
        self.values.get(key as usize)
    }

    /// A boolean key's value (false if the key is not boolean).
    pub fn bool(&self, key: Key) -> bool {
        matches!(self.value(key), Some(Value::Bool(true)))
    }

    /// An integer key's value (0 if the key is not an integer).
    pub fn int(&self, key: Key) -> i32 {
        match self.value(key) {
            Some(Value::Int(i)) => *i,
            _ => 0,
        }
    }

    /// An integer key's value as seconds, negative values read as 0.
    pub fn secs(&self, key: Key) -> u64 {
        u64::try_from(self.int(key)).unwrap_or(0)
    }

    /// A measurand-list key's value (empty if the key is not a list).
    pub fn measurands(&self, key: Key) -> &[Measurand] {
        match self.value(key) {
            Some(Value::Measurands(m)) => m,
            _ => &[],
        }
    }

    /// A text key's value (empty if the key is not text).
    pub fn text(&self, key: Key) -> &str {
        match self.value(key) {
            Some(Value::Text(t)) => t,
            _ => "",
        }
    }

    /// The standard key of this name (OCPP keys compare case-insensitively).
    pub fn lookup(name: &str) -> Option<Key> {
        let i = KEYS
            .iter()
            .position(|d| d.name.eq_ignore_ascii_case(name) && built(d))?;
        ALL_KEYS.get(i).copied()
    }

    fn entry(&self, i: usize) -> Option<Entry> {
        let def = KEYS.get(i).filter(|d| built(d))?;
        let value = self.values.get(i)?;
        Some(Entry {
            name: def.name.to_string(),
            readonly: def.access == Access::ReadOnly,
            // AuthorizationKey is write-only: never readable (security whitepaper §3.1).
            value: (def.access != Access::WriteOnly).then(|| value.to_wire()),
        })
    }

    /// GetConfiguration: the entries for `names` (all keys when empty) and the unknown names.
    pub fn get(&self, names: &[&str]) -> (Vec<Entry>, Vec<String>) {
        let vendor_entry = |k: &VendorKey| Entry {
            name: k.name.clone(),
            readonly: k.readonly,
            value: Some(k.value.clone()),
        };
        if names.is_empty() {
            let mut all: Vec<Entry> = (0..KEYS.len()).filter_map(|i| self.entry(i)).collect();
            all.extend(self.vendor.iter().map(vendor_entry));
            return (all, Vec::new());
        }
        let mut found = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            if let Some(e) = Self::lookup(name).and_then(|k| self.entry(k as usize)) {
                found.push(e);
            } else if let Some(k) = self.vendor.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
                found.push(vendor_entry(k));
            } else {
                unknown.push(name.to_string());
            }
        }
        (found, unknown)
    }

    /// The GetConfiguration.conf for `names` (every key when empty), written straight into
    /// JSON: the same object as a `GetConfigurationConf` of [`Self::get`]'s entries (names of
    /// more than 50 and values of more than 500 characters left out, as their CiString types
    /// require), without copying a name or value first.
    pub fn write_report(&self, names: &[CiString50], w: &mut Writer<'_>) {
        /// A key's value, standard or vendor.
        enum Shown<'v> {
            Standard(&'v Value),
            Vendor(&'v str),
        }
        let mut opened = false;
        let mut item = |w: &mut Writer<'_>, name: &str, readonly: bool, value: Option<Shown<'_>>| {
            if crate::json::longer_than(name, 50) {
                return;
            }
            if !opened {
                w.key(",\"configurationKey\":");
                w.begin_array();
                opened = true;
            }
            w.begin_object();
            w.key(",\"key\":");
            w.string(name);
            w.key(",\"readonly\":");
            w.bool(readonly);
            match value {
                Some(Shown::Standard(v)) if !v.longer_than(500) => {
                    w.key(",\"value\":");
                    v.write_json_string(w);
                }
                Some(Shown::Vendor(v)) if !crate::json::longer_than(v, 500) => {
                    w.key(",\"value\":");
                    w.string(v);
                }
                _ => {}
            }
            w.end_object();
        };
        let standard = |i: usize| {
            let def = KEYS.get(i).filter(|d| built(d))?;
            // AuthorizationKey is write-only: never readable (security whitepaper §3.1).
            let value = self.values.get(i).filter(|_| def.access != Access::WriteOnly);
            Some((def.name, def.access == Access::ReadOnly, value.map(Shown::Standard)))
        };
        let vendor = |name: &str| self.vendor.iter().find(|k| k.name.eq_ignore_ascii_case(name));
        w.begin_object();
        let mut unknown = false;
        if names.is_empty() {
            for i in 0..KEYS.len() {
                if let Some((name, readonly, value)) = standard(i) {
                    item(w, name, readonly, value);
                }
            }
            for k in &self.vendor {
                item(w, &k.name, k.readonly, Some(Shown::Vendor(&k.value)));
            }
        } else {
            for name in names {
                if let Some((n, readonly, value)) = Self::lookup(name).and_then(|k| standard(k as usize)) {
                    item(w, n, readonly, value);
                } else if let Some(k) = vendor(name) {
                    item(w, &k.name, k.readonly, Some(Shown::Vendor(&k.value)));
                } else {
                    unknown = true;
                }
            }
        }
        if opened {
            w.end_array();
        }
        if unknown {
            w.key(",\"unknownKey\":");
            w.begin_array();
            for name in names {
                if Self::lookup(name).and_then(|k| standard(k as usize)).is_none() && vendor(name).is_none() {
                    w.string(name);
                }
            }
            w.end_array();
        }
        w.end_object();
    }

    /// ChangeConfiguration (and the host's own settings): validates and stores `value`.
    ///
    /// Unknown key -> NotSupported; read-only key or invalid value -> Rejected (1.6 §5.3).
    pub fn change(&mut self, name: &str, value: &str) -> (ConfigurationStatus, Option<Changed>) {
        let Some(key) = Self::lookup(name) else {
            return match self.vendor.iter_mut().position(|k| k.name.eq_ignore_ascii_case(name)) {
                Some(i) => match self.vendor.get_mut(i) {
                    Some(k) if !k.readonly && value.chars().count() <= 500 => {
                        k.value = value.to_string();
                        (ConfigurationStatus::Accepted, Some(Changed::Vendor(i)))
                    }
                    _ => (ConfigurationStatus::Rejected, None),
                },
                None => (ConfigurationStatus::NotSupported, None),
            };
        };
        let Some(def) = KEYS.get(key as usize) else {
            return (ConfigurationStatus::NotSupported, None);
        };
        if def.access == Access::ReadOnly {
            return (ConfigurationStatus::Rejected, None);
        }
        let parsed = match def.kind {
            Kind::Bool => parse_bool(value).map(Value::Bool),
            Kind::Int { min, max } => parse_int(value).filter(|i| (min..=max).contains(i)).map(Value::Int),
            Kind::Measurands(limit) => {
                let max = usize::try_from(self.int(limit)).unwrap_or(0);
                parse_measurands(value, max).map(Value::Measurands)
            }
            Kind::PhaseRotation => valid_phase_rotation(value).then(|| Value::Text(value.to_string())),
            Kind::Text => None,
            Kind::Secret => (16..=40).contains(&value.len()).then(|| Value::Text(value.to_string())),
        };
        match (parsed, self.values.get_mut(key as usize)) {
            (Some(v), Some(slot)) => {
                *slot = v;
                (ConfigurationStatus::Accepted, Some(Changed::Standard(key)))
            }
            _ => (ConfigurationStatus::Rejected, None),
        }
    }

    /// The values of every key that can be written (standard and vendor), for persistence.
    pub fn writable_values(&self) -> Vec<(String, String)> {
        let standard = KEYS
            .iter()
            .zip(self.values.iter())
            .filter(|(d, _)| d.access != Access::ReadOnly && built(d))
            .map(|(d, v)| (d.name.to_string(), v.to_wire()));
        let vendor = self
            .vendor
            .iter()
            .filter(|k| !k.readonly)
            .map(|k| (k.name.clone(), k.value.clone()));
        standard.chain(vendor).collect()
    }

    /// The name of a standard key.
    pub fn name(key: Key) -> &'static str {
        KEYS.get(key as usize).map_or("", |d| d.name)
    }
}

/// Every [`Key`], in table order.
const ALL_KEYS: [Key; 40] = [
    Key::AllowOfflineTxForUnknownId,
    Key::AuthorizeRemoteTxRequests,
    Key::ClockAlignedDataInterval,
    Key::ConnectionTimeOut,
    Key::ConnectorPhaseRotation,
    Key::ConnectorPhaseRotationMaxLength,
    Key::GetConfigurationMaxKeys,
    Key::HeartbeatInterval,
    Key::LocalAuthorizeOffline,
    Key::LocalPreAuthorize,
    Key::MeterValuesAlignedData,
    Key::MeterValuesAlignedDataMaxLength,
    Key::MeterValuesSampledData,
    Key::MeterValuesSampledDataMaxLength,
    Key::MeterValueSampleInterval,
    Key::MinimumStatusDuration,
    Key::NumberOfConnectors,
    Key::ResetRetries,
    Key::StopTransactionOnEVSideDisconnect,
    Key::StopTransactionOnInvalidId,
    Key::StopTxnAlignedData,
    Key::StopTxnAlignedDataMaxLength,
    Key::StopTxnSampledData,
    Key::StopTxnSampledDataMaxLength,
    Key::SupportedFeatureProfiles,
    Key::TransactionMessageAttempts,
    Key::TransactionMessageRetryInterval,
    Key::UnlockConnectorOnEVSideDisconnect,
    Key::WebSocketPingInterval,
    Key::AuthorizationKey,
    Key::AuthorizationCacheEnabled,
    Key::LocalAuthListEnabled,
    Key::LocalAuthListMaxLength,
    Key::SendLocalListMaxLength,
    Key::ReserveConnectorZeroSupported,
    Key::ChargeProfileMaxStackLevel,
    Key::ChargingScheduleAllowedChargingRateUnit,
    Key::ChargingScheduleMaxPeriods,
    Key::MaxChargingProfilesInstalled,
    Key::ConnectorSwitch3to1PhaseSupported,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// GetConfiguration.conf the long way: entries copied into the message types.
    fn report_via_types(c: &Configuration, names: &[&str]) -> String {
        use crate::messages::{CiString500, GetConfigurationConf, KeyValue};
        let (found, unknown) = c.get(names);
        let configuration_key: Vec<KeyValue> = found
            .into_iter()
            .filter_map(|e| {
                Some(KeyValue {
                    key: CiString50::new(e.name).ok()?,
                    readonly: e.readonly,
                    value: e.value.and_then(|v| CiString500::new(v).ok()),
                })
            })
            .collect();
        let unknown_key: Vec<CiString50> = unknown.into_iter().filter_map(|k| CiString50::new(k).ok()).collect();
        crate::json::to_string(&GetConfigurationConf {
            configuration_key: (!configuration_key.is_empty()).then_some(configuration_key),
            unknown_key: (!unknown_key.is_empty()).then_some(unknown_key),
        })
    }

    #[test]
    fn the_written_report_is_the_conf_of_the_entries() {
        let mut c = Configuration::new(2, "Core,RemoteTrigger");
        c.declare_vendor_key(VendorKey {
            name: "VendorLed".into(),
            value: "blue \"sky\"".into(),
            readonly: false,
        });
        c.declare_vendor_key(VendorKey {
            name: "K".repeat(51),
            value: "v".into(),
            readonly: true,
        });
        c.declare_vendor_key(VendorKey {
            name: "VendorLong".into(),
            value: "x".repeat(501),
            readonly: true,
        });
        let _ = c.change("MeterValuesSampledData", "Energy.Active.Import.Register,Voltage");
        let _ = c.change("AuthorizationKey", "0011223344556677");
        for names in [
            &[][..],
            &["HeartbeatInterval"],
            &["heartbeatinterval", "Nope", "VendorLed", "AuthorizationKey", "Nope"],
            &["Nope"],
            &["MeterValuesSampledData", "VendorLong", "NumberOfConnectors"],
        ] {
            let asked: Vec<CiString50> = names.iter().map(|n| CiString50::new(*n).unwrap()).collect();
            let mut written = String::new();
            c.write_report(&asked, &mut Writer::new(&mut written));
            assert_eq!(written, report_via_types(&c, names), "{names:?}");
        }
    }

    fn cfg() -> Configuration {
        Configuration::new(2, "Core,RemoteTrigger")
    }

    #[test]
    fn table_and_enum_agree() {
        for (i, key) in ALL_KEYS.iter().enumerate() {
            assert_eq!(*key as usize, i);
            let want = built(&KEYS[i]).then_some(*key);
            assert_eq!(Configuration::lookup(Configuration::name(*key)), want);
        }
        assert_eq!(Configuration::lookup("heartbeatinterval"), Some(Key::HeartbeatInterval));
    }

    #[test]
    fn change_validates_by_type() {
        let mut c = cfg();
        let rows = [
            ("HeartbeatInterval", "300", ConfigurationStatus::Accepted),
            ("HeartbeatInterval", "-1", ConfigurationStatus::Rejected),
            ("HeartbeatInterval", "3.5", ConfigurationStatus::Rejected),
            ("HeartbeatInterval", "+3", ConfigurationStatus::Rejected),
            ("HeartbeatInterval", "99999999999", ConfigurationStatus::Rejected),
            ("StopTransactionOnInvalidId", "FALSE", ConfigurationStatus::Accepted),
            ("StopTransactionOnInvalidId", "yes", ConfigurationStatus::Rejected),
            ("NumberOfConnectors", "3", ConfigurationStatus::Rejected),
            (
                "MeterValuesSampledData",
                "Voltage,Current.Import",
                ConfigurationStatus::Accepted,
            ),
            ("MeterValuesSampledData", "Voltage,Bogus", ConfigurationStatus::Rejected),
            ("ConnectorPhaseRotation", "0.RST,1.RTS", ConfigurationStatus::Accepted),
            ("ConnectorPhaseRotation", "RST", ConfigurationStatus::Rejected),
            ("AuthorizationKey", "short", ConfigurationStatus::Rejected),
            ("AuthorizationKey", "0123456789abcdef", ConfigurationStatus::Accepted),
            ("TransactionMessageAttempts", "0", ConfigurationStatus::Rejected),
            ("NoSuchKey", "1", ConfigurationStatus::NotSupported),
        ];
        for (k, v, want) in rows {
            assert_eq!(c.change(k, v).0, want, "{k}={v}");
        }
        assert_eq!(c.int(Key::HeartbeatInterval), 300);
        assert!(!c.bool(Key::StopTransactionOnInvalidId));
        assert_eq!(
            c.measurands(Key::MeterValuesSampledData),
            &[Measurand::Voltage, Measurand::CurrentImport]
        );
    }

    #[test]
    fn measurand_lists_respect_max_length() {
        let mut c = cfg();
        let long: Vec<&str> = Measurand::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(
            c.change("StopTxnSampledData", &long.join(",")).0,
            ConfigurationStatus::Rejected
        );
        assert_eq!(c.change("StopTxnSampledData", "").0, ConfigurationStatus::Accepted);
        assert!(c.measurands(Key::StopTxnSampledData).is_empty());
    }

    #[test]
    fn get_lists_unknown_and_hides_the_authorization_key() {
        let mut c = cfg();
        c.change("AuthorizationKey", "0123456789abcdef");
        c.declare_vendor_key(VendorKey {
            name: "LedBrightness".into(),
            value: "50".into(),
            readonly: false,
        });
        let (found, unknown) = c.get(&["HeartbeatInterval", "AuthorizationKey", "Nope", "ledbrightness"]);
        assert_eq!(unknown, ["Nope"]);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].value.as_deref(), Some("86400"));
        assert_eq!(found[1].value, None);
        assert_eq!(found[2].value.as_deref(), Some("50"));
        let (all, _) = c.get(&[]);
        assert_eq!(all.len(), KEYS.iter().filter(|d| built(d)).count() + 1);
        assert!(all.iter().all(|e| e.value.as_deref() != Some("0123456789abcdef")));
        assert_eq!(
            c.change("LedBrightness", "10"),
            (ConfigurationStatus::Accepted, Some(Changed::Vendor(0)))
        );
    }
}
