//! The central system's CALLs and our answers (Core + RemoteTrigger).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::keys::Changed;
use super::outbox::{AuthPurpose, Payload};
use super::{supported_profiles_list, ChargePoint, Event, Key, Registration};
use crate::json::ToJson;
use crate::log::Level;
use crate::messages::*;
use crate::rpc::{self, classify_payload_error, ErrorCode};
use crate::time::Instant;

impl ChargePoint {
    /// Answers a CALL from the central system (the action rows of the CALLERROR table).
    ///
    /// | case | answer |
    /// |---|---|
    /// | unknown action | NotImplemented |
    /// | action of another profile not built in, or one only a charge point sends | NotSupported |
    /// | payload field errors | see [`classify_payload_error`] |
    pub(super) fn handle_call(&mut self, now: Instant, id: &str, action: &str, payload: &str) {
        let Some(act) = Action::from_name(action) else {
            self.reply_error(id, ErrorCode::NotImplemented, &format!("unknown action {action}"));
            return;
        };
        if self.cfg.trace_messages {
            self.events.push_back(Event::Received {
                action: Some(act),
                message_id: id.to_string(),
                call: true,
            });
        }
        if !act.from_central_system() || !supported_profiles_list().contains(&act.profile()) {
            self.reply_error(
                id,
                ErrorCode::NotSupported,
                &format!("{action} is not supported by this charge point"),
            );
            return;
        }
        let req = match CsRequest::parse(act, payload) {
            Ok(req) => req,
            Err(e) => {
                self.reply_error(id, classify_payload_error(&e), &format!("{action}: {e}"));
                return;
            }
        };
        match req {
            CsRequest::ChangeAvailability(r) => {
                let status = self.change_availability(r.connector_id, r.r#type == AvailabilityType::Operative);
                self.reply(id, act, &ChangeAvailabilityConf { status });
            }
            CsRequest::ChangeConfiguration(r) => {
                let status = self.change_configuration(now, r.key.as_str(), r.value.as_str());
                self.reply(id, act, &ChangeConfigurationConf { status });
            }
            CsRequest::ClearCache(_) => {
                // 1.6 §5.4: the Authorization Cache only; never the local list or the journal.
                #[cfg(feature = "local-auth-list")]
                self.auth_cache.clear();
                self.reply(
                    id,
                    act,
                    &ClearCacheConf {
                        status: ClearCacheStatus::Accepted,
                    },
                );
            }
            #[cfg(feature = "local-auth-list")]
            CsRequest::SendLocalList(r) => {
                let status = if self.keys.bool(Key::LocalAuthListEnabled) {
                    let max = usize::try_from(self.keys.int(Key::LocalAuthListMaxLength)).unwrap_or(0);
                    let send_max = usize::try_from(self.keys.int(Key::SendLocalListMaxLength)).unwrap_or(0);
                    let status = self.auth_list.apply(&r, max, send_max);
                    if status == UpdateStatus::Accepted {
                        self.save_auth_list();
                    }
                    status
                } else {
                    UpdateStatus::NotSupported
                };
                self.reply(id, act, &SendLocalListConf { status });
            }
            #[cfg(feature = "local-auth-list")]
            CsRequest::GetLocalListVersion(_) => {
                // 1.6 §5.10: -1 when the local list is switched off.
                let list_version = if self.keys.bool(Key::LocalAuthListEnabled) {
                    self.auth_list.version()
                } else {
                    -1
                };
                self.reply(id, act, &GetLocalListVersionConf { list_version });
            }
            CsRequest::DataTransfer(r) => {
                let ids = &self.cfg.data_transfer_vendor_ids;
                let known = ids.iter().any(|v| v == "*" || v.as_str() == r.vendor_id.as_str());
                let status = if known {
                    DataTransferStatus::Accepted
                } else {
                    DataTransferStatus::UnknownVendorId
                };
                self.reply(id, act, &DataTransferConf { status, data: None });
                self.events.push_back(Event::DataTransfer {
                    vendor_id: r.vendor_id.as_str().to_string(),
                    message_id: r.message_id.map(|m| m.as_str().to_string()),
                    data: r.data,
                    status,
                });
            }
            CsRequest::GetConfiguration(r) => {
                // Written straight from the keys: no copy of a name or value.
                let names = r.key.as_deref().unwrap_or(&[]);
                rpc::frame::write_result(self.transmit.begin(), id, &Report(&self.keys, names));
                self.transmit.commit();
                self.replied(id, act);
            }
            CsRequest::RemoteStartTransaction(r) => {
                let status = self.remote_start(now, r.connector_id, r.id_tag, r.charging_profile);
                self.reply(id, act, &RemoteStartTransactionConf { status });
            }
            CsRequest::RemoteStopTransaction(r) => {
                let found = (1..=self.cfg.connectors).find(|&c| {
                    self.connector(c)
                        .and_then(|c| c.tx.as_ref())
                        .is_some_and(|t| t.id == Some(r.transaction_id))
                });
                let status = if found.is_some() {
                    RemoteStartStopStatus::Accepted
                } else {
                    RemoteStartStopStatus::Rejected
                };
                self.reply(id, act, &RemoteStopTransactionConf { status });
                if let Some(c) = found {
                    self.events.push_back(Event::RemoteStop {
                        connector: c,
                        transaction_id: r.transaction_id,
                    });
                    self.end_tx(now, c, Reason::Remote, None);
                }
            }
            CsRequest::Reset(r) => {
                self.reply(
                    id,
                    act,
                    &ResetConf {
                        status: ResetStatus::Accepted,
                    },
                );
                // 1.6 §5.14: stop transactions first, then reboot.
                let reason = if r.r#type == ResetType::Hard {
                    Reason::HardReset
                } else {
                    Reason::SoftReset
                };
                for c in 1..=self.cfg.connectors {
                    if self.has_transaction(c) {
                        self.end_tx(now, c, reason, None);
                    }
                }
                self.reset = Some((r.r#type, now.plus_millis(self.cfg.reset_grace_ms)));
            }
            CsRequest::UnlockConnector(r) => {
                let c = r.connector_id;
                let status = if c == 0 || c > self.cfg.connectors || !self.cfg.unlock_supported {
                    UnlockStatus::NotSupported
                } else {
                    UnlockStatus::Unlocked
                };
                self.reply(id, act, &UnlockConnectorConf { status });
                if status == UnlockStatus::Unlocked {
                    if self.has_transaction(c) {
                        self.end_tx(now, c, Reason::UnlockCommand, None);
                    }
                    self.events.push_back(Event::Unlock { connector: c });
                }
            }
            CsRequest::TriggerMessage(r) => {
                let valid = r.connector_id.is_none_or(|c| c <= self.cfg.connectors);
                let firmware = matches!(
                    r.requested_message,
                    MessageTrigger::DiagnosticsStatusNotification | MessageTrigger::FirmwareStatusNotification
                );
                let status = if firmware && !supported_profiles_list().contains(&Profile::FirmwareManagement) {
                    TriggerMessageStatus::NotImplemented
                } else if valid {
                    TriggerMessageStatus::Accepted
                } else {
                    TriggerMessageStatus::Rejected
                };
                // 1.6 §5.17: the answer goes before the requested message.
                self.reply(id, act, &TriggerMessageConf { status });
                if status == TriggerMessageStatus::Accepted {
                    self.events.push_back(Event::TriggerMessage {
                        requested: r.requested_message,
                        connector: r.connector_id,
                    });
                    self.triggered(now, r.requested_message, r.connector_id);
                }
            }
            #[cfg(feature = "firmware-management")]
            CsRequest::UpdateFirmware(r) => {
                self.reply(id, act, &UpdateFirmwareConf {});
                self.update_firmware(now, r);
            }
            #[cfg(feature = "firmware-management")]
            CsRequest::GetDiagnostics(r) => {
                let file_name = self.get_diagnostics(now, r);
                self.reply(id, act, &GetDiagnosticsConf { file_name });
            }
            #[cfg(feature = "smart-charging")]
            CsRequest::SetChargingProfile(r) => {
                let status = self.set_charging_profile(now, r);
                self.reply(id, act, &SetChargingProfileConf { status });
            }
            #[cfg(feature = "smart-charging")]
            CsRequest::ClearChargingProfile(r) => {
                let status = self.clear_charging_profile(now, r);
                self.reply(id, act, &ClearChargingProfileConf { status });
            }
            #[cfg(feature = "smart-charging")]
            CsRequest::GetCompositeSchedule(r) => {
                let conf = self.composite_schedule(now, r);
                self.reply(id, act, &conf);
            }
            #[cfg(feature = "reservation")]
            CsRequest::ReserveNow(r) => {
                let status = self.reserve_now(now, r);
                self.reply(id, act, &ReserveNowConf { status });
            }
            #[cfg(feature = "reservation")]
            CsRequest::CancelReservation(r) => {
                let status = self.cancel_reservation(r.reservation_id);
                self.reply(id, act, &CancelReservationConf { status });
            }
            // Reachable when an optional profile is left out of the build.
            #[allow(unreachable_patterns)]
            other => {
                // Parsed, but its profile's behaviour is not built in (guarded above).
                let name = other.action().as_str();
                self.reply_error(
                    id,
                    ErrorCode::NotSupported,
                    &format!("{name} is not supported by this charge point"),
                );
            }
        }
    }

    fn reply(&mut self, id: &str, action: Action, conf: &dyn ToJson) {
        rpc::frame::write_result(self.transmit.begin(), id, conf);
        self.transmit.commit();
        self.replied(id, action);
    }

    /// Traces an answer just written.
    fn replied(&mut self, id: &str, action: Action) {
        if self.cfg.trace_messages {
            self.events.push_back(Event::Sent {
                action,
                message_id: id.to_string(),
                call: false,
            });
        }
    }

    fn reply_error(&mut self, id: &str, code: ErrorCode, description: &str) {
        self.log(Level::Warn, format_args!("answering {id} with {code}: {description}"));
        rpc::frame::write_error(self.transmit.begin(), id, code, description);
        self.transmit.commit();
    }

    /// ChangeAvailability (1.6 §5.2); connector 0 means the whole charge point.
    fn change_availability(&mut self, connector: u32, operative: bool) -> AvailabilityStatus {
        if connector > self.cfg.connectors {
            return AvailabilityStatus::Rejected;
        }
        let targets: Vec<u32> = if connector == 0 {
            (0..=self.cfg.connectors).collect()
        } else {
            Vec::from([connector])
        };
        let mut scheduled = false;
        let mut changed = false;
        for c in targets {
            let Some(conn) = self.connectors.get_mut(c as usize) else {
                continue;
            };
            if conn.tx.is_some() && !operative {
                conn.scheduled_operative = Some(false);
                scheduled = true;
            } else {
                conn.scheduled_operative = None;
                if conn.operative != operative {
                    conn.operative = operative;
                    changed = true;
                    self.events.push_back(Event::Availability {
                        connector: c,
                        operative,
                    });
                }
            }
        }
        if changed {
            self.save_availability();
        }
        if scheduled {
            AvailabilityStatus::Scheduled
        } else {
            AvailabilityStatus::Accepted
        }
    }

    /// ChangeConfiguration, from the central system or the host, with its side effects.
    pub(super) fn change_configuration(&mut self, now: Instant, key: &str, value: &str) -> ConfigurationStatus {
        let (status, changed) = self.keys.change(key, value);
        if changed.is_some() {
            self.save_configuration();
        }
        let Some(changed) = changed else {
            return status;
        };
        let (name, shown) = match changed {
            Changed::Standard(k) => {
                self.apply_key(now, k);
                let shown = if k == Key::AuthorizationKey {
                    String::new()
                } else {
                    value.to_string()
                };
                (super::Configuration::name(k).to_string(), shown)
            }
            Changed::Vendor(i) => {
                let name = self
                    .keys
                    .vendor_keys()
                    .get(i)
                    .map(|k| k.name.clone())
                    .unwrap_or_default();
                (name, value.to_string())
            }
        };
        self.events.push_back(Event::ConfigurationChanged {
            key: name,
            value: shown,
        });
        status
    }

    /// Applies a changed key to the running timers.
    fn apply_key(&mut self, now: Instant, key: Key) {
        match key {
            Key::HeartbeatInterval => {
                let i = self.keys.secs(Key::HeartbeatInterval);
                self.heartbeat_at = (i > 0 && self.registration == Registration::Accepted).then(|| now.plus_secs(i));
            }
            Key::MeterValueSampleInterval => {
                let i = self.keys.secs(Key::MeterValueSampleInterval);
                for c in self.connectors.iter_mut() {
                    if let Some(tx) = c.tx.as_mut() {
                        tx.next_sample = (i > 0).then(|| now.plus_secs(i));
                    }
                }
            }
            Key::ClockAlignedDataInterval => self.schedule_aligned(now),
            _ => {}
        }
    }

    /// RemoteStartTransaction (1.6 §5.11): which connector, and whether we accept.
    fn remote_start(
        &mut self,
        now: Instant,
        connector: Option<u32>,
        tag: CiString20,
        profile: Option<ChargingProfile>,
    ) -> RemoteStartStopStatus {
        let n = self.cfg.connectors;
        let ok = |cp: &Self, c: u32| {
            cp.connector(c).is_some_and(|c| c.is_free() && c.authorized.is_none())
                && cp.reservation_gate(c, tag.as_str(), None).is_ok()
        };
        let chosen = match connector.filter(|&c| c != 0) {
            Some(c) => (c <= n && ok(self, c)).then_some(c),
            None => (1..=n)
                .find(|&c| ok(self, c) && self.connector(c).is_some_and(|c| c.plugged))
                .or_else(|| (1..=n).find(|&c| ok(self, c))),
        };
        let Some(c) = chosen.filter(|_| self.reset.is_none()) else {
            return RemoteStartStopStatus::Rejected;
        };
        // 1.6 §5.11: a TxProfile for the transaction about to start; an invalid one refuses the start.
        #[cfg(feature = "smart-charging")]
        if let Some(p) = profile {
            if !self.remote_start_profile(now, c, p) {
                return RemoteStartStopStatus::Rejected;
            }
        }
        #[cfg(not(feature = "smart-charging"))]
        let _ = profile; // 1.6 §5.11: ignored without the SmartCharging profile.
        self.events.push_back(Event::RemoteStart {
            connector: c,
            id_tag: tag.as_str().to_string(),
        });
        if self.keys.bool(Key::AuthorizeRemoteTxRequests) {
            self.authorize(now, tag, AuthPurpose::Start(c));
        } else {
            let info = IdTagInfo {
                status: AuthorizationStatus::Accepted,
                expiry_date: None,
                parent_id_tag: None,
            };
            self.authorized(now, tag, AuthPurpose::Start(c), &info);
        }
        RemoteStartStopStatus::Accepted
    }

    /// TriggerMessage: queue the requested message (1.6 §5.17).
    fn triggered(&mut self, now: Instant, what: MessageTrigger, connector: Option<u32>) {
        let all: Vec<u32> = match connector {
            Some(c) => Vec::from([c]),
            None => (0..=self.cfg.connectors).collect(),
        };
        match what {
            MessageTrigger::BootNotification => self.enqueue(now, Payload::Boot),
            MessageTrigger::Heartbeat => self.enqueue(now, Payload::Heartbeat),
            MessageTrigger::StatusNotification => {
                for c in all {
                    self.report_status(now, c);
                }
            }
            MessageTrigger::MeterValues => {
                let wall = self.now_wall(now);
                for c in all.into_iter().filter(|&c| c != 0 || connector == Some(0)) {
                    let mv = self.meter.sample(
                        c,
                        self.keys.measurands(Key::MeterValuesSampledData),
                        ReadingContext::Trigger,
                        now,
                        self.cfg.meter_max_age_ms,
                        wall,
                    );
                    if let Some(mv) = mv {
                        let transaction_id = self.transaction_id(c);
                        let req = MeterValuesReq {
                            connector_id: c,
                            transaction_id,
                            meter_value: Vec::from([mv]),
                        };
                        self.enqueue(now, Payload::Meter(req));
                    }
                }
            }
            #[cfg(feature = "firmware-management")]
            MessageTrigger::DiagnosticsStatusNotification => {
                let status = self.triggered_diagnostics_status();
                self.enqueue(now, Payload::Diagnostics(status));
            }
            #[cfg(feature = "firmware-management")]
            MessageTrigger::FirmwareStatusNotification => {
                let status = self.triggered_firmware_status();
                self.enqueue(now, Payload::Firmware(status));
            }
            #[cfg(not(feature = "firmware-management"))]
            MessageTrigger::DiagnosticsStatusNotification | MessageTrigger::FirmwareStatusNotification => {}
        }
    }
}

/// GetConfiguration.conf, written from the configuration itself (see
/// [`super::Configuration::write_report`]).
struct Report<'a>(&'a super::Configuration, &'a [CiString50]);

impl ToJson for Report<'_> {
    fn write_json(&self, w: &mut crate::json::Writer<'_>) {
        self.0.write_report(self.1, w);
    }
}
