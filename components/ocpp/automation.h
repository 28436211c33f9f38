#pragma once

// Triggers (on_remote_start, ...) and actions (ocpp.start_transaction, ...) of the ocpp
// component. Trigger variables keep the original component's names and order; new ones
// (connector_id, reason) come last so existing lambdas compile unchanged.

#include <string>

#include "esphome/core/automation.h"
#include "ocpp_component.h"

namespace esphome::ocpp {

/// A transaction began (StartTransaction queued), whatever started it: remote, RFID, local.
class RemoteStartTrigger : public Trigger<std::string, int> {
 public:
  explicit RemoteStartTrigger(OcppCp *parent) {
    parent->add_on_remote_start_callback(
        [this](const std::string &id_tag, int connector) { this->trigger(id_tag, connector); });
  }
};

/// A transaction ended (StopTransaction queued), whatever ended it; transaction_id -1 if the
/// central system had not confirmed it yet.
class RemoteStopTrigger : public Trigger<int, int, std::string> {
 public:
  explicit RemoteStopTrigger(OcppCp *parent) {
    parent->add_on_remote_stop_callback([this](int transaction_id, int connector, const std::string &reason) {
      this->trigger(transaction_id, connector, reason);
    });
  }
};

/// Reset accepted: type is "Hard" or "Soft". With this automation bound, rebooting is yours.
class ResetTrigger : public Trigger<std::string> {
 public:
  explicit ResetTrigger(OcppCp *parent) {
    parent->add_on_reset_callback([this](const std::string &type) { this->trigger(type); });
  }
};

class UnlockConnectorTrigger : public Trigger<int> {
 public:
  explicit UnlockConnectorTrigger(OcppCp *parent) {
    parent->add_on_unlock_connector_callback([this](int connector) { this->trigger(connector); });
  }
};

/// The effective smart-charging limit changed: A per phase and W, -1 = no limit, 0 = pause.
class ChargingProfileChangeTrigger : public Trigger<float, float, int, int> {
 public:
  explicit ChargingProfileChangeTrigger(OcppCp *parent) {
    parent->add_on_charging_profile_change_callback(
        [this](float amps, float watts, int phases, int connector) { this->trigger(amps, watts, phases, connector); });
  }
};

/// TriggerMessage received (already answered); connector_id -1 when not given.
class TriggerMessageTrigger : public Trigger<std::string, int> {
 public:
  explicit TriggerMessageTrigger(OcppCp *parent) {
    parent->add_on_trigger_message_callback(
        [this](const std::string &message, int connector) { this->trigger(message, connector); });
  }
};

/// DataTransfer from the central system (answered Accepted because this automation exists).
class DataTransferTrigger : public Trigger<std::string, std::string, std::string> {
 public:
  explicit DataTransferTrigger(OcppCp *parent) {
    parent->add_on_data_transfer_callback(
        [this](const std::string &vendor_id, const std::string &message_id, const std::string &data) {
          this->trigger(vendor_id, message_id, data);
        });
  }
};

/// UpdateFirmware is due: download from `location` (e.g. ota.http_request.flash) and report
/// progress with ocpp.firmware_status. retries / retry_interval: -1 when not given.
class UpdateFirmwareTrigger : public Trigger<std::string, int, int> {
 public:
  explicit UpdateFirmwareTrigger(OcppCp *parent) {
    parent->add_on_update_firmware_callback([this](const std::string &location, int retries, int retry_interval) {
      this->trigger(location, retries, retry_interval);
    });
  }
};

/// Energy to the EV switched on or off (contactor): transaction running and not paused.
class EnergyOfferedTrigger : public Trigger<bool, int> {
 public:
  explicit EnergyOfferedTrigger(OcppCp *parent) {
    parent->add_on_energy_offered_callback([this](bool on, int connector) { this->trigger(on, connector); });
  }
};

template<typename... Ts> class StartTransactionAction : public Action<Ts...> {
 public:
  explicit StartTransactionAction(OcppCp *parent) : parent_(parent) {}
  TEMPLATABLE_VALUE(std::string, id_tag)
  TEMPLATABLE_VALUE(int, connector)

  void play(const Ts &...x) override {
    int connector = this->connector_.has_value() ? this->connector_.value(x...) : 1;
    this->parent_->start_transaction(this->id_tag_.value(x...), static_cast<uint32_t>(connector));
  }

 protected:
  OcppCp *parent_;
};

template<typename... Ts> class EndTransactionAction : public Action<Ts...> {
 public:
  explicit EndTransactionAction(OcppCp *parent) : parent_(parent) {}
  TEMPLATABLE_VALUE(std::string, id_tag)
  TEMPLATABLE_VALUE(std::string, reason)
  TEMPLATABLE_VALUE(int, connector)

  void play(const Ts &...x) override {
    int connector = this->connector_.has_value() ? this->connector_.value(x...) : 1;
    std::string reason = this->reason_.has_value() ? this->reason_.value(x...) : std::string("Local");
    std::string id_tag = this->id_tag_.has_value() ? this->id_tag_.value(x...) : std::string();
    // With id_tag: ends it only if that tag may (end_transaction_with_idtag); without: force.
    this->parent_->end_transaction_on(static_cast<uint32_t>(connector), reason, id_tag);
  }

 protected:
  OcppCp *parent_;
};

template<typename... Ts> class FirmwareStatusAction : public Action<Ts...> {
 public:
  explicit FirmwareStatusAction(OcppCp *parent) : parent_(parent) {}
  TEMPLATABLE_VALUE(std::string, status)

  void play(const Ts &...x) override { this->parent_->report_firmware_status(this->status_.value(x...)); }

 protected:
  OcppCp *parent_;
};

}  // namespace esphome::ocpp
