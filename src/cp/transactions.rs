//! Authorization, transactions and the answers to our own CALLs.

use alloc::format;
use alloc::string::String;

#[cfg(feature = "local-auth-list")]
use super::auth_store::{self, AuthPolicy, LocalDecision};
use super::connector::{Authorized, Transaction};
use super::outbox::{AuthPurpose, Payload};
use super::{same_tag, ChargePoint, Event, InFlight, Key, Registration};
use crate::log::Level;
use crate::messages::{
    AuthorizationStatus, AuthorizeReq, CiString20, CpConf, IdTagInfo, ReadingContext, Reason, RegistrationStatus,
    StartTransactionReq, StopTransactionReq,
};
use crate::rpc::ErrorCode;
use crate::time::Instant;

impl ChargePoint {
    /// Asks the central system about `tag`, or decides offline (1.6 §3.5).
    pub(super) fn authorize(&mut self, now: Instant, tag: CiString20, purpose: AuthPurpose) {
        let online = self.connected && self.registration == Registration::Accepted;
        #[cfg(feature = "local-auth-list")]
        if let AuthPurpose::Start(_) = purpose {
            // 1.6 §3.5: LocalPreAuthorize may start at once from the list or cache.
            let wall = self.now_wall(now);
            let policy = self.auth_policy();
            match auth_store::decide(
                &policy,
                &self.auth_list,
                &mut self.auth_cache,
                tag.as_str(),
                online,
                wall,
            ) {
                LocalDecision::Accept(info) | LocalDecision::Reject(info) => {
                    self.authorized(now, tag, purpose, &info);
                    return;
                }
                LocalDecision::AskCentralSystem => {}
            }
        }
        if online {
            let req = AuthorizeReq { id_tag: tag };
            self.enqueue(now, Payload::Authorize(req, purpose));
        } else {
            self.authorize_offline(now, tag, purpose);
        }
    }

    /// The local list and cache settings from the configuration keys.
    #[cfg(feature = "local-auth-list")]
    fn auth_policy(&self) -> AuthPolicy {
        AuthPolicy {
            list_enabled: self.keys.bool(Key::LocalAuthListEnabled),
            cache_enabled: self.keys.bool(Key::AuthorizationCacheEnabled),
            pre_authorize: self.keys.bool(Key::LocalPreAuthorize),
            authorize_offline: self.keys.bool(Key::LocalAuthorizeOffline),
            allow_offline_unknown: self.keys.bool(Key::AllowOfflineTxForUnknownId),
        }
    }

    /// Feeds the Authorization Cache with what the central system said about `tag`.
    fn remember_tag(&mut self, now: Instant, tag: &CiString20, info: &IdTagInfo) {
        #[cfg(feature = "local-auth-list")]
        {
            let wall = self.now_wall(now);
            let policy = self.auth_policy();
            auth_store::remember(&policy, &self.auth_list, &mut self.auth_cache, tag, info, wall);
        }
        #[cfg(not(feature = "local-auth-list"))]
        let _ = (now, tag, info);
    }

    /// Offline (or the central system did not answer): the local list and cache
    /// (LocalAuthorizeOffline), then AllowOfflineTxForUnknownId for unknown tags (1.6 §3.5.4);
    /// a group stop needs the tag's parent from the list or cache.
    fn authorize_offline(&mut self, now: Instant, tag: CiString20, purpose: AuthPurpose) {
        #[cfg(feature = "local-auth-list")]
        let info = {
            let wall = self.now_wall(now);
            let policy = self.auth_policy();
            let (list, cache) = (&self.auth_list, &mut self.auth_cache);
            let local = match purpose {
                AuthPurpose::Start(_) => match auth_store::decide(&policy, list, cache, tag.as_str(), false, wall) {
                    LocalDecision::Accept(i) | LocalDecision::Reject(i) => Some(i),
                    LocalDecision::AskCentralSystem => None,
                },
                AuthPurpose::Stop(_) => auth_store::local_verdict(&policy, list, cache, tag.as_str(), wall),
            };
            local.unwrap_or(IdTagInfo {
                status: AuthorizationStatus::Invalid,
                expiry_date: None,
                parent_id_tag: None,
            })
        };
        #[cfg(not(feature = "local-auth-list"))]
        let info = {
            let allowed = matches!(purpose, AuthPurpose::Start(_)) && self.keys.bool(Key::AllowOfflineTxForUnknownId);
            let status = if allowed {
                AuthorizationStatus::Accepted
            } else {
                AuthorizationStatus::Invalid
            };
            IdTagInfo {
                status,
                expiry_date: None,
                parent_id_tag: None,
            }
        };
        let status = info.status;
        self.log(
            Level::Info,
            format_args!("offline authorization of {}: {}", tag.as_str(), status.as_str()),
        );
        self.authorized(now, tag, purpose, &info);
    }

    /// Acts on the verdict for `tag`.
    pub(super) fn authorized(&mut self, now: Instant, tag: CiString20, purpose: AuthPurpose, info: &IdTagInfo) {
        self.events.push_back(Event::Authorization {
            id_tag: String::from(tag.as_str()),
            status: info.status,
        });
        if info.status != AuthorizationStatus::Accepted {
            return;
        }
        match purpose {
            AuthPurpose::Start(c) => {
                let timeout = self.keys.secs(Key::ConnectionTimeOut);
                let reservation = match self.reservation_gate(c, tag.as_str(), info.parent_id_tag.as_ref()) {
                    Ok(r) => r,
                    Err(why) => {
                        self.error_event(format!("{} may not start on connector {c}: {why}", tag.as_str()));
                        return;
                    }
                };
                let Ok(conn) = self.connector_mut(c) else {
                    return;
                };
                if !conn.is_free() {
                    return;
                }
                conn.authorized = Some(Authorized {
                    id_tag: tag,
                    parent_id_tag: info.parent_id_tag.clone(),
                    until: now.plus_secs(timeout),
                    reservation,
                });
                if conn.plugged {
                    self.begin_authorized(now, c);
                }
            }
            AuthPurpose::Stop(c) => {
                let parent = self
                    .connector(c)
                    .and_then(|c| c.tx.as_ref())
                    .and_then(|t| t.parent_id_tag.clone());
                // 1.6 §3.6: a tag of the same group (same parentIdTag) may stop the transaction.
                if let (Some(mine), Some(theirs)) = (parent, info.parent_id_tag.as_ref()) {
                    if same_tag(&mine, theirs) {
                        self.end_tx(now, c, Reason::Local, Some(tag));
                    }
                }
            }
        }
    }

    /// Starts the transaction an authorized tag waits for (the cable is in).
    pub(super) fn begin_authorized(&mut self, now: Instant, c: u32) {
        let Some(auth) = self.connector_mut(c).ok().and_then(|conn| conn.authorized.take()) else {
            return;
        };
        // Room for this transaction's StartTransaction and StopTransaction (never dropped).
        if self.queued_tx_messages() + 2 > self.cfg.tx_queue_capacity || !self.journal_room(2) {
            self.error_event(String::from("transaction queue is full: not starting a transaction"));
            return;
        }
        let meter_start = self.meter.energy_wh(c, now, self.cfg.meter_max_age_ms).unwrap_or(0);
        let wall = self.now_wall(now);
        let local = self.next_local_tx;
        self.next_local_tx = self.next_local_tx.wrapping_add(1);
        let interval = self.keys.secs(Key::MeterValueSampleInterval);
        let begin = self.meter.sample(
            c,
            self.keys.measurands(Key::StopTxnSampledData),
            ReadingContext::TransactionBegin,
            now,
            self.cfg.meter_max_age_ms,
            wall,
        );
        let req = StartTransactionReq {
            connector_id: c,
            id_tag: auth.id_tag.clone(),
            meter_start,
            reservation_id: auth.reservation,
            timestamp: wall,
        };
        #[cfg(feature = "reservation")]
        if let Some(id) = auth.reservation {
            self.reservation_used(id);
        }
        self.log(
            Level::Info,
            format_args!("connector {c}: transaction starts for {}", auth.id_tag.as_str()),
        );
        if let Ok(conn) = self.connector_mut(c) {
            conn.finishing = false;
            conn.tx = Some(Transaction {
                local,
                id: None,
                id_tag: auth.id_tag,
                parent_id_tag: auth.parent_id_tag,
                meter_start,
                start_wall: wall,
                deauthorized: false,
                next_sample: (interval > 0).then(|| now.plus_secs(interval)),
                data: begin.into_iter().collect(),
            });
        }
        // The open transaction is recorded before its StartTransaction is journaled: after a
        // cut, a queued StartTransaction always has the record that stops it.
        self.save_open_tx(c, meter_start, wall);
        self.events.push_back(Event::TransactionBegun {
            connector: c,
            id_tag: String::from(req.id_tag.as_str()),
        });
        self.enqueue(now, Payload::StartTx(local, req));
        // A TxProfile (or a Relative schedule) applies from the start of the transaction.
        #[cfg(feature = "smart-charging")]
        self.limits_changed(now);
    }

    /// Ends the transaction on `c` and queues its StopTransaction.
    pub(super) fn end_tx(&mut self, now: Instant, c: u32, reason: Reason, tag: Option<CiString20>) {
        let wall = self.now_wall(now);
        let end = self.meter.sample(
            c,
            self.keys.measurands(Key::StopTxnSampledData),
            ReadingContext::TransactionEnd,
            now,
            self.cfg.meter_max_age_ms,
            wall,
        );
        let meter_now = self.meter.energy_wh(c, now, self.cfg.meter_max_age_ms);
        let Ok(conn) = self.connector_mut(c) else {
            return;
        };
        let Some(mut tx) = conn.tx.take() else { return };
        conn.finishing = conn.plugged;
        conn.ev_suspended = false;
        if let Some(op) = conn.scheduled_operative.take() {
            // 1.6 §5.2: a Scheduled availability change applies when the transaction ends.
            conn.operative = op;
            self.events.push_back(Event::Availability {
                connector: c,
                operative: op,
            });
            self.save_availability();
        }
        if let Some(end) = end {
            tx.data.push(end);
        }
        let mut req = StopTransactionReq {
            id_tag: tag,
            meter_stop: meter_now.unwrap_or(tx.meter_start).max(tx.meter_start),
            timestamp: wall,
            transaction_id: tx.id.unwrap_or(0),
            // 1.6 §6.49: Local is the default when left out.
            reason: (reason != Reason::Local).then_some(reason),
            transaction_data: (!tx.data.is_empty()).then_some(tx.data),
        };
        // The StopTransaction must fit one journal entry: thin transactionData by the same
        // halving rule until it does, keeping its Transaction.End value.
        loop {
            let too_big = crate::json::to_string(&req).len() + 64 > super::persist::MAX_ENTRY;
            match req.transaction_data.as_mut() {
                Some(data) if too_big && data.len() > 2 => {
                    let end = data.pop();
                    super::halve(data);
                    data.extend(end);
                }
                _ => break,
            }
        }
        self.log(
            Level::Info,
            format_args!("connector {c}: transaction ends ({})", reason.as_str()),
        );
        self.events.push_back(Event::TransactionStopped {
            connector: c,
            transaction_id: tx.id,
            reason,
        });
        #[cfg(feature = "smart-charging")]
        if self.profiles.transaction_ended(c) {
            self.limits_changed(now);
            self.save_profiles();
        }
        self.enqueue(now, Payload::StopTx(tx.local, req));
        // The StopTransaction is in the journal: the open transaction may go.
        self.forget_record(&super::persist::tx_key(c));
    }

    /// The CALL an answer with `id` belongs to, taken out of flight. An answer to anything
    /// else is logged and dropped: OCPP-J answers only CALLs.
    fn answered(&mut self, id: &str, kind: &str) -> Option<InFlight> {
        let Some(f) = self.in_flight.take_if(|f| f.id.as_bytes() == id.as_bytes()) else {
            self.log(Level::Warn, format_args!("{kind} for unknown message id {id} ignored"));
            return None;
        };
        if self.cfg.trace_messages {
            self.events.push_back(Event::Received {
                action: Some(f.action),
                message_id: String::from(f.id.as_str()),
                call: false,
            });
        }
        Some(f)
    }

    /// A CALLRESULT arrived.
    pub(super) fn handle_result(&mut self, now: Instant, id: &str, payload: &str) {
        let Some(f) = self.answered(id, "CALLRESULT") else {
            return;
        };
        match CpConf::parse(f.action, payload) {
            Ok(conf) => self.on_conf(now, f, conf),
            Err(e) => {
                self.log(Level::Warn, format_args!("bad {} result: {e}", f.action.as_str()));
                self.call_failed(now, f, true);
            }
        }
    }

    /// A CALLERROR arrived.
    pub(super) fn handle_error(&mut self, now: Instant, id: &str, code: ErrorCode, description: &str) {
        let Some(f) = self.answered(id, "CALLERROR") else {
            return;
        };
        self.log(
            Level::Warn,
            format_args!("{} failed: {code} {description}", f.action.as_str()),
        );
        self.call_failed(now, f, true);
    }

    /// Our CALL got no usable answer. `counts`: an answer or timeout (counts as an attempt);
    /// otherwise the link went down and the CALL simply waits for the next connection.
    pub(super) fn call_failed(&mut self, now: Instant, f: InFlight, counts: bool) {
        let InFlight { action, mut item, .. } = f;
        if item.payload.is_tx() {
            if counts {
                item.attempts = item.attempts.saturating_add(1);
            }
            let max = u8::try_from(self.keys.int(Key::TransactionMessageAttempts).max(1)).unwrap_or(u8::MAX);
            if item.attempts >= max {
                self.error_event(format!(
                    "{} given up after {} attempts (TransactionMessageAttempts)",
                    action.as_str(),
                    item.attempts
                ));
                self.item_done(&item);
                if let Payload::StopTx(local, _) = item.payload {
                    self.tx_ids.retain(|(l, _)| *l != local);
                    self.save_tx_ids();
                }
                return;
            }
            // 1.6 §4.10: wait TransactionMessageRetryInterval x attempts before the next try.
            let wait = self
                .keys
                .secs(Key::TransactionMessageRetryInterval)
                .saturating_mul(u64::from(item.attempts));
            item.not_before = if counts { now.plus_secs(wait) } else { now };
            self.outbox.push_front(item);
            return;
        }
        match item.payload {
            // A BootNotification asked for by TriggerMessage after acceptance is not retried.
            Payload::Boot if self.registration != Registration::Accepted => {
                self.boot_at = Some(now.plus_secs(self.cfg.boot_retry_s));
            }
            Payload::Authorize(req, purpose) => self.authorize_offline(now, req.id_tag, purpose),
            Payload::Status(_) if !counts => self.outbox.push_front(item),
            Payload::DataTransfer(_) => {
                self.events.push_back(Event::DataTransferResult {
                    status: None,
                    data: None,
                });
            }
            _ => {}
        }
    }

    /// The answer to one of our CALLs.
    fn on_conf(&mut self, now: Instant, f: InFlight, conf: CpConf) {
        let interval = self.keys.secs(Key::HeartbeatInterval);
        if self.registration == Registration::Accepted && interval > 0 {
            // Any exchange proves the link; the heartbeat waits a full interval after it.
            self.heartbeat_at = Some(now.plus_secs(interval));
        }
        // Removed from the journal after the answer is acted on: a StartTransaction's id is
        // recorded first, so a cut in between repeats the message rather than losing the id.
        let seq = f.item.seq;
        self.on_conf_payload(now, f.item.payload, conf);
        self.journal_remove(seq);
    }

    fn on_conf_payload(&mut self, now: Instant, payload: Payload, conf: CpConf) {
        match (payload, conf) {
            (Payload::Boot, CpConf::BootNotification(c)) => {
                self.set_wall_clock(now, c.current_time);
                self.events.push_back(Event::Boot { status: c.status });
                let wait = u64::try_from(c.interval).ok().filter(|i| *i > 0);
                match c.status {
                    RegistrationStatus::Accepted => {
                        if let Some(i) = wait.filter(|_| !self.cfg.keep_heartbeat_interval) {
                            let _ = self.keys.change("HeartbeatInterval", &format!("{i}"));
                        }
                        self.registration = Registration::Accepted;
                        self.boot_at = None;
                        let hb = self.keys.secs(Key::HeartbeatInterval);
                        self.heartbeat_at = (hb > 0).then(|| now.plus_secs(hb));
                        // 1.6 §4.2.1: after acceptance, report every connector's status.
                        for c in 0..=self.cfg.connectors {
                            if self.connector(c).is_some_and(|c| c.reported.is_some()) {
                                self.report_status(now, c);
                            }
                        }
                    }
                    RegistrationStatus::Pending | RegistrationStatus::Rejected => {
                        if self.registration != Registration::Accepted {
                            self.registration = if c.status == RegistrationStatus::Pending {
                                Registration::Pending
                            } else {
                                Registration::Rejected
                            };
                        }
                        self.boot_at = Some(now.plus_secs(wait.unwrap_or(self.cfg.boot_retry_s)));
                    }
                }
            }
            (Payload::Heartbeat, CpConf::Heartbeat(c)) => self.set_wall_clock(now, c.current_time),
            (Payload::Authorize(req, purpose), CpConf::Authorize(c)) => {
                self.remember_tag(now, &req.id_tag, &c.id_tag_info);
                self.authorized(now, req.id_tag, purpose, &c.id_tag_info);
            }
            (Payload::StartTx(local, req), CpConf::StartTransaction(c)) => {
                self.remember_tag(now, &req.id_tag, &c.id_tag_info);
                self.on_start_conf(now, local, c)
            }
            (Payload::StopTx(local, req), CpConf::StopTransaction(c)) => {
                if let (Some(tag), Some(info)) = (&req.id_tag, &c.id_tag_info) {
                    self.remember_tag(now, tag, info);
                }
                self.tx_ids.retain(|(l, _)| *l != local);
                self.save_tx_ids();
            }
            (Payload::DataTransfer(_), CpConf::DataTransfer(c)) => {
                self.events.push_back(Event::DataTransferResult {
                    status: Some(c.status),
                    data: c.data,
                });
            }
            (payload, _) => self.recycle(payload),
        }
    }

    fn on_start_conf(&mut self, now: Instant, local: u32, c: crate::messages::StartTransactionConf) {
        self.tx_ids.retain(|(l, _)| *l != local);
        self.tx_ids.push((local, c.transaction_id));
        self.save_tx_ids();
        let found = (1..=self.cfg.connectors).find(|&i| {
            self.connector(i)
                .and_then(|conn| conn.tx.as_ref())
                .is_some_and(|t| t.local == local)
        });
        let Some(conn_id) = found else {
            // The transaction already ended; its queued StopTransaction gets the id.
            return;
        };
        let accepted = c.id_tag_info.status == AuthorizationStatus::Accepted;
        let stop_on_invalid = self.keys.bool(Key::StopTransactionOnInvalidId);
        let Ok(conn) = self.connector_mut(conn_id) else {
            return;
        };
        let Some(tx) = conn.tx.as_mut() else { return };
        tx.id = Some(c.transaction_id);
        if let Some(parent) = c.id_tag_info.parent_id_tag.clone() {
            tx.parent_id_tag = Some(parent);
        }
        let tag = String::from(tx.id_tag.as_str());
        self.events.push_back(Event::TransactionStarted {
            connector: conn_id,
            transaction_id: c.transaction_id,
            id_tag: tag,
        });
        if !accepted {
            self.log(
                Level::Warn,
                format_args!(
                    "transaction {} not authorized: {}",
                    c.transaction_id,
                    c.id_tag_info.status.as_str()
                ),
            );
            // 1.6 §9.1.32 StopTransactionOnInvalidId: stop, or keep the transaction without energy.
            if stop_on_invalid {
                self.end_tx(now, conn_id, Reason::DeAuthorized, None);
            } else if let Some(tx) = self.connector_mut(conn_id).ok().and_then(|c| c.tx.as_mut()) {
                tx.deauthorized = true;
            }
        }
    }
}
