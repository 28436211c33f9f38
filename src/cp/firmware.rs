//! The FirmwareManagement profile: UpdateFirmware and GetDiagnostics become host events at the
//! right time; the host reports progress, which goes out as FirmwareStatusNotification /
//! DiagnosticsStatusNotification (1.6 §3.12, §5.8, §5.19).

use alloc::format;
use alloc::string::String;

use super::outbox::Payload;
use super::{ChargePoint, CpError, Event};
use crate::messages::{CiString255, DiagnosticsStatus, FirmwareStatus, GetDiagnosticsReq, UpdateFirmwareReq};
use crate::time::Instant;

/// Where firmware and diagnostics stand.
#[derive(Clone, Debug)]
pub struct FirmwareState {
    /// An UpdateFirmware waiting for its retrieveDate.
    pub pending: Option<UpdateFirmwareReq>,
    /// The last firmware status reported.
    pub firmware: FirmwareStatus,
    /// The last diagnostics status reported.
    pub diagnostics: DiagnosticsStatus,
}

impl Default for FirmwareState {
    fn default() -> Self {
        FirmwareState {
            pending: None,
            firmware: FirmwareStatus::Idle,
            diagnostics: DiagnosticsStatus::Idle,
        }
    }
}

impl ChargePoint {
    /// UpdateFirmware: remembered until its retrieveDate, then handed to the host.
    pub(super) fn update_firmware(&mut self, now: Instant, req: UpdateFirmwareReq) {
        self.firmware.pending = Some(req);
        self.firmware_due(now);
    }

    /// Hands a due UpdateFirmware to the host.
    pub(super) fn firmware_due(&mut self, now: Instant) {
        // Runs at the end of every input: the wall clock only when an update waits.
        let due = match &self.firmware.pending {
            Some(req) => self.wall_clock(now).is_none_or(|wall| req.retrieve_date <= wall),
            None => false,
        };
        if !due {
            return;
        }
        if let Some(req) = self.firmware.pending.take() {
            self.events.push_back(Event::UpdateFirmware {
                location: req.location,
                retries: req.retries,
                retry_interval: req.retry_interval,
            });
        }
    }

    /// When a waiting UpdateFirmware is due, on the monotonic clock.
    pub(super) fn firmware_deadline(&self) -> Option<Instant> {
        self.instant_of(self.firmware.pending.as_ref()?.retrieve_date)
    }

    /// GetDiagnostics: answers with the file name the upload will use, and tells the host.
    pub(super) fn get_diagnostics(&mut self, now: Instant, req: GetDiagnosticsReq) -> Option<CiString255> {
        let stamp = self.now_wall(now).unix_secs();
        let name = format!("diagnostics-{}-{stamp}.log", self.cfg.charge_point_id);
        let file_name = CiString255::new(name).ok()?;
        self.events.push_back(Event::GetDiagnostics {
            location: req.location,
            file_name: String::from(file_name.as_str()),
            start_time: req.start_time,
            stop_time: req.stop_time,
            retries: req.retries,
            retry_interval: req.retry_interval,
        });
        Some(file_name)
    }

    /// The host reports firmware progress (Downloading ... Installed, or a failure).
    pub fn firmware_status(&mut self, now: Instant, status: FirmwareStatus) -> Result<(), CpError> {
        self.firmware.firmware = status;
        self.enqueue(now, Payload::Firmware(status));
        self.service(now);
        Ok(())
    }

    /// The host reports diagnostics upload progress.
    pub fn diagnostics_status(&mut self, now: Instant, status: DiagnosticsStatus) -> Result<(), CpError> {
        self.firmware.diagnostics = status;
        self.enqueue(now, Payload::Diagnostics(status));
        self.service(now);
        Ok(())
    }

    /// What TriggerMessage reports: the ongoing state, or Idle once a process finished
    /// (1.6 §5.17: Idle when not busy).
    pub(super) fn triggered_firmware_status(&self) -> FirmwareStatus {
        match self.firmware.firmware {
            s @ (FirmwareStatus::Downloading | FirmwareStatus::Downloaded | FirmwareStatus::Installing) => s,
            _ => FirmwareStatus::Idle,
        }
    }

    /// The same for diagnostics.
    pub(super) fn triggered_diagnostics_status(&self) -> DiagnosticsStatus {
        match self.firmware.diagnostics {
            DiagnosticsStatus::Uploading => DiagnosticsStatus::Uploading,
            _ => DiagnosticsStatus::Idle,
        }
    }
}
