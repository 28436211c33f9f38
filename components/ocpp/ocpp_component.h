#pragma once

// ESPHome component of ocpp-cp: a thin shim between ESPHome (YAML, entities, triggers,
// socket, preferences, time, logs) and the Rust OCPP 1.6J charge point behind the C ABI in
// include/ocpp_cp.h. Every OCPP decision is made in Rust; this class only moves data.

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "esphome/core/automation.h"
#include "esphome/core/component.h"
#include "esphome/core/defines.h"
#include "esphome/core/helpers.h"

#include "esphome/components/binary_sensor/binary_sensor.h"
#include "esphome/components/number/number.h"
#include "esphome/components/sensor/sensor.h"
#include "esphome/components/text_sensor/text_sensor.h"
#ifdef USE_OCPP_TIME
#include "esphome/components/time/real_time_clock.h"
#endif

#include "storage.h"
#include "transport.h"

// The charge point handle of the C ABI. Its header (ocpp_cp.h) is included only by the .cpp
// files: it typedefs `ocpp_cp`, and `ocpp_cp` is also the id the original component's
// examples give this component, which ESPHome turns into a global variable in main.cpp. A
// class and a variable may share a name; a typedef and a variable may not.
struct ocpp_cp;

namespace esphome::ocpp {

/// What a bound sensor measures (the YAML keys under meter_values).
enum MeterKind : uint8_t {
  METER_ENERGY,
  METER_POWER,
  METER_VOLTAGE,
  METER_CURRENT,
  METER_TEMPERATURE,
  METER_SOC,
  METER_FREQUENCY,
  METER_POWER_FACTOR,
};

class OcppCp;

/// One bound sensor: where its readings go, and the factor to the OCPP unit.
struct MeterInput {
  OcppCp *parent;
  uint32_t connector;
  MeterKind kind;
  sensor::Sensor *sensor;
  const char *phase;  // "" = none
  float scale{1.0f};  // sensor unit -> OCPP unit (kW -> W: 1000)
  bool gated_by_api{false};
};

/// A connector's inputs, outputs and the little state the shim keeps about them.
struct Connector {
  uint32_t id{1};
  // inputs
  text_sensor::TextSensor *status_from{nullptr};
  std::vector<std::pair<std::string, std::string>> status_mapping;
  binary_sensor::BinarySensor *plugged_from{nullptr};
  binary_sensor::BinarySensor *soc_plugged_from{nullptr};
  number::Number *current_offered{nullptr};
  sensor::Sensor *voltage{nullptr};     // scalar voltage (Power.Offered)
  sensor::Sensor *voltage_leg[3]{};     // per-leg voltages (Power.Offered, 3-phase)
  // outputs
  text_sensor::TextSensor *status_sensor{nullptr};
  sensor::Sensor *transaction_id_sensor{nullptr};
  sensor::Sensor *current_limit_sensor{nullptr};
  sensor::Sensor *power_limit_sensor{nullptr};
  sensor::Sensor *session_energy_sensor{nullptr};
  // what was last given to the core
  int8_t plugged{-1};  // -1 not yet known
  bool suspended{false};
  bool faulted{false};
  bool status_known{false};
  std::string status_raw;
  // transaction and limit, from events
  bool in_transaction{false};
  float locked_offered{NAN};
  double limit_amps{-1.0};
  double limit_watts{-1.0};
  float offered_sent{NAN};
  float offered_watts_sent{NAN};
  uint64_t offered_sent_ms{0};
  std::string status;  // OCPP status last reported
};

class OcppCp : public Component {
 public:
  // ---------------------------------------------------------------- YAML setters
  void set_csms_url(const std::string &v) { this->csms_url_ = v; }
  void set_charge_point_id(const std::string &v) { this->charge_point_id_ = v; }
  void set_authorization_key(const std::string &v) { this->authorization_key_ = v; }
  void set_vendor(const std::string &v) { this->vendor_ = v; }
  void set_model(const std::string &v) { this->model_ = v; }
  void set_firmware_version(const std::string &v) { this->firmware_version_ = v; }
  void set_serial_number(const std::string &v) { this->serial_number_ = v; }
  void set_phases(uint8_t n) { this->phases_ = n; }
  void set_nominal_voltage(float v) { this->nominal_voltage_ = this->phase_voltage_ = v; }
  /// Per phase (differs from nominal_voltage when a 3-phase one was given line to line).
  void set_phase_voltage(float v) { this->phase_voltage_ = v; }
  void set_phase_switching_supported(bool v) { this->phase_switching_supported_ = v; }
  void set_lock_offered_current_during_transaction(bool v) { this->lock_offered_current_ = v; }
  void set_heartbeat_interval(uint32_t s) { this->heartbeat_interval_s_ = s; }
  void set_meter_value_sample_interval(uint32_t s) { this->meter_value_sample_interval_s_ = s; }
  void set_stop_txn_sampled_data(const std::string &v) { this->stop_txn_sampled_data_ = v; }
  void set_meter_values_sampled_data(const std::string &v) { this->meter_values_sampled_data_ = v; }
  void set_persistence(bool v) { this->persistence_ = v; }
  void set_transaction_queue_size(uint32_t n) { this->transaction_queue_size_ = n; }
  void set_resume_after_power_loss(bool v) { this->resume_after_power_loss_ = v; }
  void set_accept_data_transfer(bool v) { this->accept_data_transfer_ = v; }
  void set_unlock_supported(bool v) { this->unlock_supported_ = v; }
  void set_reset_handled(bool v) { this->reset_handled_ = v; }
  void set_connector_count(uint32_t n);
  void add_meter_sensor(uint32_t connector, MeterKind kind, sensor::Sensor *s, const char *phase,
                        bool gated_by_api = false);
  void set_current_offered_number(uint32_t connector, number::Number *n);
  void set_status_from(uint32_t connector, text_sensor::TextSensor *t);
  void add_status_mapping(uint32_t connector, const std::string &raw, const std::string &ocpp);
  void set_plugged_from(uint32_t connector, binary_sensor::BinarySensor *b);
  void set_soc_plugged_from(uint32_t connector, binary_sensor::BinarySensor *b);
#ifdef USE_OCPP_TIME
  void set_time(time::RealTimeClock *clock) { this->time_ = clock; }
#endif
  // sensor / text_sensor platforms
  void set_connection_state_text_sensor(text_sensor::TextSensor *t) { this->connection_state_sensor_ = t; }
  void set_status_text_sensor(uint32_t connector, text_sensor::TextSensor *t);
  void set_transaction_id_sensor(uint32_t connector, sensor::Sensor *s);
  void set_current_limit_sensor(uint32_t connector, sensor::Sensor *s);
  void set_power_limit_sensor(uint32_t connector, sensor::Sensor *s);
  void set_session_energy_sensor(uint32_t connector, sensor::Sensor *s);

  // ---------------------------------------------------------------- lambda API
  /// Starts a transaction on connector 1 (the original's signature); false if refused at once.
  bool start_transaction(const std::string &id_tag) { return this->start_transaction(id_tag, 1); }
  bool start_transaction(const std::string &id_tag, uint32_t connector);
  /// Ends the transaction on connector 1 whoever started it.
  void end_transaction(const std::string &reason = "Local") { this->end_transaction_on(1, reason, ""); }
  /// Ends it if `id_tag` may (same tag, or the same parent after Authorize).
  bool end_transaction_with_idtag(const std::string &id_tag, const std::string &reason = "Local") {
    return this->end_transaction_on(1, reason, id_tag);
  }
  bool end_transaction_on(uint32_t connector, const std::string &reason, const std::string &id_tag);
  /// An id tag was presented (RFID): starts or stops per OCPP's authorization rules.
  bool present_id_tag(const std::string &id_tag);
  float get_nominal_voltage() const { return this->nominal_voltage_; }
  /// FirmwareStatusNotification: Downloading, Downloaded, DownloadFailed, Installing,
  /// Installed, InstallationFailed, Idle.
  bool report_firmware_status(const std::string &status);
  bool report_diagnostics_status(const std::string &status);
  /// Inputs for connectors without bound entities.
  bool set_plugged(bool plugged, uint32_t connector = 1);
  bool set_fault(const std::string &error_code, const std::string &info = "", uint32_t connector = 1);
  bool set_meter(const std::string &measurand, float value, uint32_t connector = 1, const std::string &phase = "");
  bool send_data_transfer(const std::string &vendor_id, const std::string &message_id, const std::string &data);
  /// OCPP configuration key (ChangeConfiguration from the firmware side).
  bool set_configuration(const std::string &key, const std::string &value);
  /// disconnected | connecting | handshaking | connected | ready | closing
  std::string connection_state() const;
  /// OCPP status of a connector ("" if unknown).
  std::string connector_status(uint32_t connector = 1) const;
  /// Transaction id on a connector, -1 when none (or not yet confirmed).
  int transaction_id(uint32_t connector = 1) const;
  bool is_ready() const { return this->connection_state() == "ready"; }

  // ---------------------------------------------------------------- triggers
  template<typename F> void add_on_remote_start_callback(F &&cb) { this->remote_start_cb_.add(std::forward<F>(cb)); }
  template<typename F> void add_on_remote_stop_callback(F &&cb) { this->remote_stop_cb_.add(std::forward<F>(cb)); }
  template<typename F> void add_on_reset_callback(F &&cb) { this->reset_cb_.add(std::forward<F>(cb)); }
  template<typename F> void add_on_unlock_connector_callback(F &&cb) { this->unlock_cb_.add(std::forward<F>(cb)); }
  template<typename F> void add_on_charging_profile_change_callback(F &&cb) {
    this->limit_cb_.add(std::forward<F>(cb));
  }
  template<typename F> void add_on_trigger_message_callback(F &&cb) {
    this->trigger_message_cb_.add(std::forward<F>(cb));
  }
  template<typename F> void add_on_data_transfer_callback(F &&cb) {
    this->data_transfer_cb_.add(std::forward<F>(cb));
  }
  template<typename F> void add_on_update_firmware_callback(F &&cb) {
    this->update_firmware_cb_.add(std::forward<F>(cb));
  }
  template<typename F> void add_on_energy_offered_callback(F &&cb) {
    this->energy_offered_cb_.add(std::forward<F>(cb));
  }

  // ---------------------------------------------------------------- Component
  void setup() override;
  void loop() override;
  void dump_config() override;
  float get_setup_priority() const override { return setup_priority::AFTER_WIFI; }
  void on_safe_shutdown() override;

  /// A bound sensor published (called from its callback).
  void on_meter_(MeterInput *in, float value);

 protected:
  Connector *connector_(uint32_t id);
  const Connector *connector_(uint32_t id) const;
  void apply_configuration_();
  void push_initial_meter_();
  void poll_inputs_(uint64_t now);
  void push_offered_(Connector &c, uint64_t now, bool force);
  void service_link_(uint64_t now);
  void pump_io_(uint64_t now);
  /// Writes what the core has for the socket, as far as the socket takes it; false: the socket failed.
  bool write_outgoing_();
  void drain_events_(uint64_t now);
  void publish_outputs_(uint64_t now);
  void sync_wall_clock_(uint64_t now);
  bool check_(int32_t result, const char *what);
  float live_voltage_(const Connector &c, int leg) const;
  bool api_connected_() const;
  bool soc_allowed_(const Connector &c) const;

  // configuration
  std::string csms_url_;
  std::string charge_point_id_;
  std::string authorization_key_;
  std::string vendor_{"ESPHome"};
  std::string model_{"OCPP Charger"};
  std::string firmware_version_;
  std::string serial_number_;
  uint8_t phases_{1};
  float nominal_voltage_{230.0f};
  float phase_voltage_{230.0f};
  bool phase_switching_supported_{false};
  bool lock_offered_current_{false};
  uint32_t heartbeat_interval_s_{0};
  uint32_t meter_value_sample_interval_s_{0};
  std::string stop_txn_sampled_data_;
  std::string meter_values_sampled_data_;
  bool persistence_{true};
  uint32_t transaction_queue_size_{16};
  bool resume_after_power_loss_{false};
  bool accept_data_transfer_{false};
  bool unlock_supported_{false};
  bool reset_handled_{false};
  std::vector<Connector> connectors_;
  std::vector<MeterInput *> meter_inputs_;
#ifdef USE_OCPP_TIME
  time::RealTimeClock *time_{nullptr};
#endif
  text_sensor::TextSensor *connection_state_sensor_{nullptr};

  // runtime
  struct ::ocpp_cp *cp_{nullptr};
  PrefsStorage storage_;
  Transport transport_;
  bool link_open_{false};          // the core was told socket_opened
  bool api_was_connected_{false};
  int64_t wall_clock_set_ms_{-1};  // monotonic ms of the last set_wall_clock
  uint64_t last_publish_ms_{0};
  std::string connection_state_;
  bool pending_reboot_{false};
  uint64_t reboot_at_ms_{0};

  CallbackManager<void(std::string, int)> remote_start_cb_;
  CallbackManager<void(int, int, std::string)> remote_stop_cb_;
  CallbackManager<void(std::string)> reset_cb_;
  CallbackManager<void(int)> unlock_cb_;
  CallbackManager<void(float, float, int, int)> limit_cb_;
  CallbackManager<void(std::string, int)> trigger_message_cb_;
  CallbackManager<void(std::string, std::string, std::string)> data_transfer_cb_;
  CallbackManager<void(std::string, int, int)> update_firmware_cb_;
  CallbackManager<void(bool, int)> energy_offered_cb_;
};

}  // namespace esphome::ocpp
