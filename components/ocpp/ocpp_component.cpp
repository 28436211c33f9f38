#include "ocpp_component.h"

#include "ocpp_cp.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "esphome/core/application.h"
#include "esphome/core/hal.h"
#include "esphome/core/log.h"
#include "esphome/components/network/util.h"
#ifdef USE_API
#include "esphome/components/api/api_server.h"
#endif

namespace esphome::ocpp {

static const char *const TAG = "ocpp";

// How often the shim refreshes what it derives (offered current, sensors it publishes).
static const uint64_t OFFERED_REFRESH_MS = 10000;
static const uint64_t PUBLISH_INTERVAL_MS = 1000;
static const uint64_t SESSION_ENERGY_INTERVAL_MS = 10000;
static const uint64_t WALL_CLOCK_RESYNC_MS = 3600 * 1000;
// Bounded work per loop(): the rest waits for the next one (a few ms later).
static const int MAX_READS_PER_LOOP = 8;
static const int MAX_EVENTS_PER_LOOP = 16;
// Key under which the shim remembers that a firmware install is under way (not a core key:
// ':' never appears in the core's keys).
static const char *const FIRMWARE_FLAG_KEY = "esphome:fw";

static const char *measurand_of(MeterKind kind) {
  switch (kind) {
    case METER_ENERGY:
      return "Energy.Active.Import.Register";
    case METER_POWER:
      return "Power.Active.Import";
    case METER_VOLTAGE:
      return "Voltage";
    case METER_CURRENT:
      return "Current.Import";
    case METER_TEMPERATURE:
      return "Temperature";
    case METER_SOC:
      return "SoC";
    case METER_FREQUENCY:
      return "Frequency";
    case METER_POWER_FACTOR:
      return "Power.Factor";
  }
  return "";
}

/// Factor from the sensor's unit_of_measurement to the unit the core takes (W, Wh, A, V, ...).
/// A power or energy sensor without a unit is taken as kW / kWh, as the original component did.
static float unit_scale(MeterKind kind, const std::string &unit, bool *known) {
  *known = true;
  switch (kind) {
    case METER_POWER:
      if (unit == "W")
        return 1.0f;
      if (unit == "kW" || unit.empty())
        return 1000.0f;
      if (unit == "MW")
        return 1e6f;
      break;
    case METER_ENERGY:
      if (unit == "Wh")
        return 1.0f;
      if (unit == "kWh" || unit.empty())
        return 1000.0f;
      if (unit == "MWh")
        return 1e6f;
      break;
    case METER_CURRENT:
      if (unit == "A" || unit.empty())
        return 1.0f;
      if (unit == "mA")
        return 0.001f;
      break;
    case METER_VOLTAGE:
      if (unit == "V" || unit.empty())
        return 1.0f;
      if (unit == "mV")
        return 0.001f;
      if (unit == "kV")
        return 1000.0f;
      break;
    case METER_POWER_FACTOR:
      if (unit == "%")
        return 0.01f;
      return 1.0f;
    default:
      return 1.0f;
  }
  *known = false;
  return 1.0f;
}

static void log_line(void *user, uint8_t level, const char *line) {
  (void) user;
  switch (level) {
    case 1:
      ESP_LOGE(TAG, "%s", line);
      break;
    case 2:
      ESP_LOGW(TAG, "%s", line);
      break;
    case 3:
      ESP_LOGI(TAG, "%s", line);
      break;
    default:
      ESP_LOGD(TAG, "%s", line);
      break;
  }
}

static std::string str_of(const ocpp_cp_str &s) {
  if (s.ptr == nullptr)
    return {};
  return std::string(s.ptr, s.len);
}

// ---------------------------------------------------------------- setters

void OcppCp::set_connector_count(uint32_t n) {
  this->connectors_.resize(n);
  for (uint32_t i = 0; i < n; i++)
    this->connectors_[i].id = i + 1;
}

Connector *OcppCp::connector_(uint32_t id) {
  if (id == 0 || id > this->connectors_.size())
    return nullptr;
  return &this->connectors_[id - 1];
}

const Connector *OcppCp::connector_(uint32_t id) const {
  if (id == 0 || id > this->connectors_.size())
    return nullptr;
  return &this->connectors_[id - 1];
}

void OcppCp::add_meter_sensor(uint32_t connector, MeterKind kind, sensor::Sensor *s, const char *phase,
                              bool gated_by_api) {
  Connector *c = this->connector_(connector);
  if (c == nullptr || s == nullptr)
    return;
  auto *in = new MeterInput{this, connector, kind, s, phase == nullptr ? "" : phase, 1.0f, gated_by_api};  // NOLINT
  this->meter_inputs_.push_back(in);
  if (kind == METER_VOLTAGE) {
    if (in->phase[0] != '\0' && this->phases_ > 1) {
      for (auto &leg : c->voltage_leg) {
        if (leg == nullptr) {
          leg = s;
          break;
        }
      }
    } else {
      c->voltage = s;
    }
  }
  s->add_on_state_callback([in](float value) { in->parent->on_meter_(in, value); });
}

void OcppCp::set_current_offered_number(uint32_t connector, number::Number *n) {
  if (Connector *c = this->connector_(connector))
    c->current_offered = n;
}
void OcppCp::set_status_from(uint32_t connector, text_sensor::TextSensor *t) {
  if (Connector *c = this->connector_(connector))
    c->status_from = t;
}
void OcppCp::add_status_mapping(uint32_t connector, const std::string &raw, const std::string &ocpp) {
  if (Connector *c = this->connector_(connector))
    c->status_mapping.emplace_back(raw, ocpp);
}
void OcppCp::set_plugged_from(uint32_t connector, binary_sensor::BinarySensor *b) {
  if (Connector *c = this->connector_(connector))
    c->plugged_from = b;
}
void OcppCp::set_soc_plugged_from(uint32_t connector, binary_sensor::BinarySensor *b) {
  if (Connector *c = this->connector_(connector))
    c->soc_plugged_from = b;
}
void OcppCp::set_status_text_sensor(uint32_t connector, text_sensor::TextSensor *t) {
  if (Connector *c = this->connector_(connector))
    c->status_sensor = t;
}
void OcppCp::set_transaction_id_sensor(uint32_t connector, sensor::Sensor *s) {
  if (Connector *c = this->connector_(connector))
    c->transaction_id_sensor = s;
}
void OcppCp::set_current_limit_sensor(uint32_t connector, sensor::Sensor *s) {
  if (Connector *c = this->connector_(connector))
    c->current_limit_sensor = s;
}
void OcppCp::set_power_limit_sensor(uint32_t connector, sensor::Sensor *s) {
  if (Connector *c = this->connector_(connector))
    c->power_limit_sensor = s;
}
void OcppCp::set_session_energy_sensor(uint32_t connector, sensor::Sensor *s) {
  if (Connector *c = this->connector_(connector))
    c->session_energy_sensor = s;
}

// ---------------------------------------------------------------- setup

void OcppCp::setup() {
  uint64_t now = millis_64();
  ocpp_cp_set_logger(log_line, this);

  ocpp_cp_config cfg;
  ocpp_cp_config_init(&cfg);
  cfg.csms_url = this->csms_url_.c_str();
  cfg.charge_point_id = this->charge_point_id_.c_str();
  cfg.authorization_key = this->authorization_key_.empty() ? nullptr : this->authorization_key_.c_str();
  cfg.vendor = this->vendor_.c_str();
  cfg.model = this->model_.c_str();
  cfg.firmware_version = this->firmware_version_.empty() ? nullptr : this->firmware_version_.c_str();
  cfg.serial_number = this->serial_number_.empty() ? nullptr : this->serial_number_.c_str();
  cfg.connectors = static_cast<uint32_t>(this->connectors_.size());
  cfg.phases = static_cast<uint8_t>(this->phases_ >= 3 ? 3 : (this->phases_ == 2 ? 2 : 1));
  cfg.phase_switching_supported = this->phase_switching_supported_;
  cfg.nominal_voltage = this->phase_voltage_;
  cfg.max_current_a = 0.0;
  if (!this->connectors_.empty() && this->connectors_[0].current_offered != nullptr)
    cfg.max_current_a = this->connectors_[0].current_offered->traits.get_max_value();
  cfg.heartbeat_interval_s = this->heartbeat_interval_s_;
  cfg.tx_queue_capacity = this->transaction_queue_size_;
  cfg.unlock_supported = this->unlock_supported_;
  cfg.resume_after_power_loss = this->resume_after_power_loss_;
  cfg.accept_data_transfer = this->accept_data_transfer_;
  cfg.random_seed = random_uint32();
  if (this->persistence_) {
    cfg.storage.user = &this->storage_;
    cfg.storage.read = PrefsStorage::read_cb;
    cfg.storage.write = PrefsStorage::write_cb;
    cfg.storage.remove = PrefsStorage::remove_cb;
  }

  ocpp_cp_result r = ocpp_cp_new(&cfg, now, &this->cp_);
  if (r != OCPP_CP_OK || this->cp_ == nullptr) {
    ESP_LOGE(TAG, "Charge point not created: %s", ocpp_cp_result_name(r));
    this->cp_ = nullptr;
    this->mark_failed();
    return;
  }

  // Sensor units are known now (their own setup code has run).
  for (auto *in : this->meter_inputs_) {
    bool known = true;
    std::string unit(in->sensor->get_unit_of_measurement_ref().c_str());
    in->scale = unit_scale(in->kind, unit, &known);
    if (!known)
      ESP_LOGW(TAG, "'%s': unit '%s' is not one %s takes; sent as is", in->sensor->get_name().c_str(), unit.c_str(),
               measurand_of(in->kind));
  }

  this->apply_configuration_();

  // A firmware install was under way when we went down: we are its result.
  uint8_t flag = 0;
  size_t len = 0;
  if (this->storage_.read(FIRMWARE_FLAG_KEY, &flag, 1, &len) == 0 && len == 1 && flag == 1) {
    ESP_LOGI(TAG, "Booted after a firmware install: reporting Installed");
    this->check_(ocpp_cp_firmware_status(this->cp_, now, "Installed"), "FirmwareStatusNotification");
    this->storage_.remove(FIRMWARE_FLAG_KEY);
  }

#ifdef USE_OCPP_TIME
  if (this->time_ != nullptr)
    this->time_->add_on_time_sync_callback([this]() { this->wall_clock_set_ms_ = -1; });
#endif
  this->push_initial_meter_();
}

void OcppCp::apply_configuration_() {
  uint64_t now = millis_64();
  auto set = [this, now](const char *key, const std::string &value) {
    ocpp_cp_result r = ocpp_cp_set_configuration(this->cp_, now, key, value.c_str());
    if (r != OCPP_CP_OK && r != OCPP_CP_REBOOT_REQUIRED) {
      ESP_LOGW(TAG, "Configuration %s=%s not taken: %s", key, value.c_str(), ocpp_cp_result_name(r));
      return false;
    }
    return true;
  };
  if (this->meter_value_sample_interval_s_ > 0)
    set("MeterValueSampleInterval", std::to_string(this->meter_value_sample_interval_s_));
  if (!this->stop_txn_sampled_data_.empty())
    set("StopTxnSampledData", this->stop_txn_sampled_data_);
  if (!this->meter_values_sampled_data_.empty()) {
    // In priority order; drop from the end until the list fits MeterValuesSampledDataMaxLength.
    std::string list = this->meter_values_sampled_data_;
    while (!list.empty() && !set("MeterValuesSampledData", list)) {
      size_t comma = list.rfind(',');
      std::string dropped = comma == std::string::npos ? list : list.substr(comma + 1);
      ESP_LOGW(TAG, "MeterValuesSampledData: leaving out %s", dropped.c_str());
      list = comma == std::string::npos ? "" : list.substr(0, comma);
    }
  }
}

void OcppCp::push_initial_meter_() {
  for (auto *in : this->meter_inputs_) {
    if (in->sensor->has_state())
      this->on_meter_(in, in->sensor->state);
  }
}

// ---------------------------------------------------------------- inputs

bool OcppCp::api_connected_() const {
#ifdef USE_API
  return api::global_api_server != nullptr && api::global_api_server->is_connected();
#else
  return false;
#endif
}

bool OcppCp::soc_allowed_(const Connector &c) const {
  // SoC belongs to the EV that is plugged in now (the original's EV-identity gate).
  if (c.plugged_from != nullptr && !(c.plugged_from->has_state() && c.plugged_from->state))
    return false;
  if (c.soc_plugged_from != nullptr && !(c.soc_plugged_from->has_state() && c.soc_plugged_from->state))
    return false;
  return true;
}

void OcppCp::on_meter_(MeterInput *in, float value) {
  if (this->cp_ == nullptr)
    return;
  const Connector *c = this->connector_(in->connector);
  if (c == nullptr)
    return;
  // Home Assistant mirrors keep their last value while the API is down: not fresh then.
  if (in->gated_by_api && !this->api_connected_())
    return;
  if (in->kind == METER_SOC && !this->soc_allowed_(*c))
    return;
  double v = value;
  if (!std::isnan(value)) {
    v = static_cast<double>(value) * in->scale;
    if (in->kind == METER_TEMPERATURE) {
      std::string unit(in->sensor->get_unit_of_measurement_ref().c_str());
      if (unit == "°F")
        v = (v - 32.0) * 5.0 / 9.0;
    }
  }
  // NaN (sensor unavailable) is never sent: the core refuses it and keeps nothing new.
  ocpp_cp_result r = ocpp_cp_set_meter(this->cp_, millis_64(), in->connector, measurand_of(in->kind),
                                       in->phase[0] == '\0' ? nullptr : in->phase, v);
  if (r != OCPP_CP_OK && !(std::isnan(value) && r == OCPP_CP_INVALID_ARGUMENT))
    this->check_(r, measurand_of(in->kind));
}

float OcppCp::live_voltage_(const Connector &c, int leg) const {
  const sensor::Sensor *s = leg < 0 ? c.voltage : c.voltage_leg[leg];
  if (s != nullptr && s->has_state() && std::isfinite(s->state) && s->state > 0.0f) {
    for (const auto *in : this->meter_inputs_) {
      if (in->sensor == s)
        return s->state * in->scale;
    }
    return s->state;
  }
  return this->phase_voltage_;
}

void OcppCp::push_offered_(Connector &c, uint64_t now, bool force) {
  if (c.current_offered == nullptr)
    return;
  float amps = c.current_offered->has_state() ? c.current_offered->state : NAN;
  bool locked = this->lock_offered_current_ && c.in_transaction && !std::isnan(c.locked_offered);
  if (locked)
    amps = c.locked_offered;
  if (std::isnan(amps))
    return;  // never invent a 0
  if (c.limit_amps >= 0.0) {
    // Limit 0 pauses charging whatever is locked; a locked charger cannot follow other limits.
    if (c.limit_amps == 0.0)
      amps = 0.0f;
    else if (!locked)
      amps = std::min(amps, static_cast<float>(c.limit_amps));
  }
  float volts = 0.0f;
  if (this->phases_ > 1) {
    for (int leg = 0; leg < this->phases_ && leg < 3; leg++)
      volts += this->live_voltage_(c, leg);
  } else {
    volts = this->live_voltage_(c, -1);
  }
  float watts = amps * volts;
  // Re-sent when either changes (a live voltage arriving moves Power.Offered), and now and
  // then so the readings stay fresh.
  if (!force && amps == c.offered_sent && std::fabs(watts - c.offered_watts_sent) < 1.0f &&
      now - c.offered_sent_ms < OFFERED_REFRESH_MS)
    return;
  this->check_(ocpp_cp_set_meter(this->cp_, now, c.id, "Current.Offered", nullptr, amps), "Current.Offered");
  this->check_(ocpp_cp_set_meter(this->cp_, now, c.id, "Power.Offered", nullptr, watts), "Power.Offered");
  c.offered_watts_sent = watts;
  c.offered_sent = amps;
  c.offered_sent_ms = now;
}

static bool is_one_of(const std::string &s, std::initializer_list<const char *> names) {
  for (const char *n : names) {
    if (s == n)
      return true;
  }
  return false;
}

void OcppCp::poll_inputs_(uint64_t now) {
  for (auto &c : this->connectors_) {
    // status_from -> status_mapping -> the core's inputs (only on a change of the text).
    std::string mapped;
    bool have_status = c.status_from != nullptr && c.status_from->has_state();
    if (have_status) {
      const std::string &raw = c.status_from->state;
      mapped = raw;
      for (const auto &m : c.status_mapping) {
        if (m.first == raw) {
          mapped = m.second;
          break;
        }
      }
      if (!c.status_known || raw != c.status_raw) {
        ESP_LOGD(TAG, "Connector %" PRIu32 ": charger status '%s' -> %s", c.id, raw.c_str(), mapped.c_str());
        c.status_raw = raw;
        c.status_known = true;
        bool suspended = mapped == "SuspendedEV";
        if (suspended != c.suspended) {
          c.suspended = suspended;
          this->check_(ocpp_cp_set_ev_suspended(this->cp_, now, c.id, suspended), "set_ev_suspended");
        }
        bool faulted = mapped == "Faulted";
        if (faulted != c.faulted) {
          c.faulted = faulted;
          this->check_(ocpp_cp_set_fault(this->cp_, now, c.id, faulted ? "OtherError" : "NoError",
                                         faulted ? raw.c_str() : nullptr),
                       "set_fault");
        }
      }
    }
    int8_t plugged = -1;
    if (c.plugged_from != nullptr) {
      if (c.plugged_from->has_state())
        plugged = c.plugged_from->state ? 1 : 0;
    } else if (have_status) {
      plugged = is_one_of(mapped, {"Available", "Reserved", "Unavailable", "Faulted"}) ? 0 : 1;
    }
    if (plugged >= 0 && plugged != c.plugged) {
      c.plugged = plugged;
      ESP_LOGD(TAG, "Connector %" PRIu32 ": %s", c.id, plugged ? "plugged" : "unplugged");
      this->check_(ocpp_cp_set_plugged(this->cp_, now, c.id, plugged == 1), "set_plugged");
    }
    this->push_offered_(c, now, false);
  }
  // API link came back: re-send what was held back while it was down.
  bool api = this->api_connected_();
  if (api && !this->api_was_connected_) {
    for (auto *in : this->meter_inputs_) {
      if (in->gated_by_api && in->sensor->has_state())
        this->on_meter_(in, in->sensor->state);
    }
  }
  this->api_was_connected_ = api;
}

// ---------------------------------------------------------------- loop

void OcppCp::loop() {
  if (this->cp_ == nullptr)
    return;
  uint64_t now = millis_64();
  if (this->pending_reboot_ && now >= this->reboot_at_ms_) {
    ESP_LOGI(TAG, "Rebooting (OCPP Reset)");
    App.safe_reboot();
    return;
  }
  this->sync_wall_clock_(now);
  this->poll_inputs_(now);
  this->check_(ocpp_cp_tick(this->cp_, now), "tick");
  if (this->cp_ == nullptr)
    return;
  this->service_link_(now);
  this->pump_io_(now);
  this->drain_events_(now);
  if (this->cp_ == nullptr)
    return;
  this->pump_io_(now);  // answers and messages the events produced go out in this loop
  this->publish_outputs_(now);
}

void OcppCp::service_link_(uint64_t now) {
  ocpp_cp_link_action act;
  // A few actions per loop at most (an OPEN refused at once could be asked for again).
  for (int i = 0; i < 4 && this->cp_ != nullptr && ocpp_cp_poll_link(this->cp_, now, &act) == OCPP_CP_OK; i++) {
    if (act.kind == OCPP_CP_LINK_OPEN) {
      std::string host = str_of(act.host);
      this->link_open_ = false;
      if (!network::is_connected()) {
        ESP_LOGD(TAG, "Network not up yet; connection to %s deferred", host.c_str());
        this->check_(ocpp_cp_socket_closed(this->cp_, now), "socket_closed");
        continue;
      }
      ESP_LOGD(TAG, "Connecting to %s:%u%s", host.c_str(), act.port, act.secure ? " (TLS)" : "");
      this->transport_.open(host, act.port, act.secure, now);
    } else if (act.kind == OCPP_CP_LINK_CLOSE) {
      // Send what is left (a WebSocket close frame) as far as the socket takes it at once,
      // then close; the core is not told (it asked).
      this->write_outgoing_();
      this->transport_.close();
      this->link_open_ = false;
    }
  }
  if (this->cp_ == nullptr)
    return;
  Transport::State st = this->transport_.poll(now);
  if (st == Transport::State::OPEN && !this->link_open_) {
    this->link_open_ = true;
    this->check_(ocpp_cp_socket_opened(this->cp_, now), "socket_opened");
  } else if (st == Transport::State::FAILED) {
    ESP_LOGW(TAG, "Connection failed: %s", this->transport_.last_error());
    this->transport_.close();
    this->link_open_ = false;
    this->check_(ocpp_cp_socket_closed(this->cp_, now), "socket_closed");
  }
}

void OcppCp::pump_io_(uint64_t now) {
  if (!this->link_open_ || this->cp_ == nullptr)
    return;
  uint8_t buf[1024];
  for (int i = 0; i < MAX_READS_PER_LOOP; i++) {
    int n = this->transport_.read(buf, sizeof(buf));
    if (n == 0)
      break;
    if (n < 0) {
      ESP_LOGW(TAG, "Connection lost: %s", this->transport_.last_error());
      this->transport_.close();
      this->link_open_ = false;
      this->check_(ocpp_cp_socket_closed(this->cp_, now), "socket_closed");
      return;
    }
    if (!this->check_(ocpp_cp_receive(this->cp_, now, buf, static_cast<size_t>(n)), "receive") ||
        this->cp_ == nullptr)
      return;
  }
  if (!this->write_outgoing_()) {
    ESP_LOGW(TAG, "Connection lost: %s", this->transport_.last_error());
    this->transport_.close();
    this->link_open_ = false;
    this->check_(ocpp_cp_socket_closed(this->cp_, now), "socket_closed");
  }
}

bool OcppCp::write_outgoing_() {
  const uint8_t *data = nullptr;
  size_t len = 0;
  while (this->link_open_ && ocpp_cp_outgoing(this->cp_, &data, &len) == OCPP_CP_OK && len > 0) {
    int w = this->transport_.write(data, len);
    if (w == 0)
      return true;  // the socket's buffer is full; the rest goes next loop
    if (w < 0)
      return false;
    this->check_(ocpp_cp_consume(this->cp_, static_cast<size_t>(w)), "consume");
  }
  return true;
}

void OcppCp::sync_wall_clock_(uint64_t now) {
#ifdef USE_OCPP_TIME
  if (this->time_ == nullptr)
    return;
  if (this->wall_clock_set_ms_ >= 0 && now - static_cast<uint64_t>(this->wall_clock_set_ms_) < WALL_CLOCK_RESYNC_MS)
    return;
  ESPTime t = this->time_->utcnow();
  if (!t.is_valid())
    return;
  int64_t unix_ms = static_cast<int64_t>(t.timestamp) * 1000;
  if (this->check_(ocpp_cp_set_wall_clock(this->cp_, now, unix_ms), "set_wall_clock")) {
    if (this->wall_clock_set_ms_ < 0)
      ESP_LOGD(TAG, "Wall clock from the time component: %" PRId64, static_cast<int64_t>(t.timestamp));
    this->wall_clock_set_ms_ = static_cast<int64_t>(now);
  }
#else
  (void) now;
#endif
}

// ---------------------------------------------------------------- events

namespace {
/// An event with its strings copied: the core's pointers die at the next call on the handle,
/// and automations may call back into it.
struct OwnedEvent {
  uint8_t kind;
  int32_t connector;
  int32_t transaction_id;
  bool flag;
  double amps;
  double watts;
  int32_t phases;
  int32_t retries;
  int32_t retry_interval;
  std::string id_tag, status, error_code, reason, name, value, vendor_id, message_id, data, location;

  explicit OwnedEvent(const ocpp_cp_event &e)
      : kind(e.kind),
        connector(e.connector),
        transaction_id(e.transaction_id),
        flag(e.flag),
        amps(e.amps),
        watts(e.watts),
        phases(e.phases),
        retries(e.retries),
        retry_interval(e.retry_interval),
        id_tag(str_of(e.id_tag)),
        status(str_of(e.status)),
        error_code(str_of(e.error_code)),
        reason(str_of(e.reason)),
        name(str_of(e.name)),
        value(str_of(e.value)),
        vendor_id(str_of(e.vendor_id)),
        message_id(str_of(e.message_id)),
        data(str_of(e.data)),
        location(str_of(e.location)) {}
};
}  // namespace

void OcppCp::drain_events_(uint64_t now) {
  for (int i = 0; i < MAX_EVENTS_PER_LOOP && this->cp_ != nullptr; i++) {
    ocpp_cp_event raw;
    if (ocpp_cp_poll_event(this->cp_, &raw) != OCPP_CP_OK)
      return;
    OwnedEvent e(raw);
    Connector *c = e.connector > 0 ? this->connector_(static_cast<uint32_t>(e.connector)) : nullptr;
    switch (e.kind) {
      case OCPP_CP_EVENT_CONNECTED:
        ESP_LOGI(TAG, "Connected to the central system");
        break;
      case OCPP_CP_EVENT_DISCONNECTED:
        ESP_LOGW(TAG, "Disconnected from the central system: %s", e.reason.c_str());
        break;
      case OCPP_CP_EVENT_BOOT:
        ESP_LOGI(TAG, "BootNotification: %s", e.status.c_str());
        break;
      case OCPP_CP_EVENT_STATUS:
        if (e.error_code.empty() || e.error_code == "NoError") {
          ESP_LOGI(TAG, "Connector %" PRId32 ": %s", e.connector, e.status.c_str());
        } else {
          ESP_LOGI(TAG, "Connector %" PRId32 ": %s (%s)", e.connector, e.status.c_str(), e.error_code.c_str());
        }
        if (c != nullptr)
          c->status = e.status;
        break;
      case OCPP_CP_EVENT_ENERGY_OFFERED:
        ESP_LOGI(TAG, "Connector %" PRId32 ": energy %s", e.connector, e.flag ? "on" : "off");
        this->energy_offered_cb_.call(e.flag, e.connector);
        break;
      case OCPP_CP_EVENT_TRANSACTION_BEGUN:
        ESP_LOGI(TAG, "Connector %" PRId32 ": transaction begins for %s", e.connector, e.id_tag.c_str());
        if (c != nullptr) {
          c->in_transaction = true;
          // lock_offered_current_during_transaction: Current.Offered stays at its StartTx value.
          c->locked_offered = c->current_offered != nullptr && c->current_offered->has_state()
                                  ? c->current_offered->state
                                  : NAN;
          this->push_offered_(*c, now, true);
        }
        this->remote_start_cb_.call(e.id_tag, e.connector);
        break;
      case OCPP_CP_EVENT_TRANSACTION_STARTED:
        ESP_LOGI(TAG, "Connector %" PRId32 ": transaction %" PRId32 " confirmed", e.connector, e.transaction_id);
        break;
      case OCPP_CP_EVENT_TRANSACTION_STOPPED:
        ESP_LOGI(TAG, "Connector %" PRId32 ": transaction %" PRId32 " stopped (%s)", e.connector, e.transaction_id,
                 e.reason.c_str());
        if (c != nullptr) {
          c->in_transaction = false;
          c->locked_offered = NAN;
          this->push_offered_(*c, now, true);
        }
        this->remote_stop_cb_.call(e.transaction_id, e.connector, e.reason);
        break;
      case OCPP_CP_EVENT_LIMIT:
        ESP_LOGI(TAG, "Connector %" PRId32 ": limit %.1f A / %.0f W, phases %" PRId32, e.connector, e.amps, e.watts,
                 e.phases);
        if (c != nullptr) {
          c->limit_amps = e.amps;
          c->limit_watts = e.watts;
          this->push_offered_(*c, now, true);
        }
        this->limit_cb_.call(static_cast<float>(e.amps), static_cast<float>(e.watts), e.phases, e.connector);
        break;
      case OCPP_CP_EVENT_AUTHORIZATION:
        ESP_LOGI(TAG, "Id tag %s: %s", e.id_tag.c_str(), e.status.c_str());
        break;
      case OCPP_CP_EVENT_REMOTE_START:
        ESP_LOGI(TAG, "RemoteStartTransaction for %s on connector %" PRId32, e.id_tag.c_str(), e.connector);
        break;
      case OCPP_CP_EVENT_REMOTE_STOP:
        ESP_LOGI(TAG, "RemoteStopTransaction of %" PRId32, e.transaction_id);
        break;
      case OCPP_CP_EVENT_RESET:
        ESP_LOGI(TAG, "Reset %s", e.name.c_str());
        this->reset_cb_.call(e.name);
        if (!this->reset_handled_) {
          // No on_reset automation: the component reboots the device itself.
          this->pending_reboot_ = true;
          this->reboot_at_ms_ = now + 1000;
        }
        break;
      case OCPP_CP_EVENT_UNLOCK:
        ESP_LOGI(TAG, "UnlockConnector %" PRId32, e.connector);
        this->unlock_cb_.call(e.connector);
        break;
      case OCPP_CP_EVENT_DATA_TRANSFER:
        ESP_LOGI(TAG, "DataTransfer %s/%s (answered %s)", e.vendor_id.c_str(), e.message_id.c_str(),
                 e.status.c_str());
        this->data_transfer_cb_.call(e.vendor_id, e.message_id, e.data);
        break;
      case OCPP_CP_EVENT_DATA_TRANSFER_RESULT:
        ESP_LOGI(TAG, "DataTransfer answered: %s %s", e.status.c_str(), e.data.c_str());
        break;
      case OCPP_CP_EVENT_CONFIGURATION_CHANGED:
        ESP_LOGI(TAG, "Configuration %s = %s", e.name.c_str(), e.value.c_str());
        break;
      case OCPP_CP_EVENT_TRIGGER_MESSAGE:
        ESP_LOGI(TAG, "TriggerMessage %s (connector %" PRId32 ")", e.name.c_str(), e.connector);
        this->trigger_message_cb_.call(e.name, e.connector);
        break;
      case OCPP_CP_EVENT_AVAILABILITY:
        ESP_LOGI(TAG, "Connector %" PRId32 " %s", e.connector, e.flag ? "operative" : "inoperative");
        break;
      case OCPP_CP_EVENT_UPDATE_FIRMWARE:
        ESP_LOGI(TAG, "UpdateFirmware from %s", e.location.c_str());
        if (this->update_firmware_cb_.size() == 0) {
          ESP_LOGW(TAG, "No on_update_firmware automation: reporting DownloadFailed");
          this->report_firmware_status("DownloadFailed");
        }
        this->update_firmware_cb_.call(e.location, e.retries, e.retry_interval);
        break;
      case OCPP_CP_EVENT_GET_DIAGNOSTICS:
        ESP_LOGW(TAG, "GetDiagnostics to %s: uploads are not supported here", e.location.c_str());
        this->report_diagnostics_status("UploadFailed");
        break;
      case OCPP_CP_EVENT_ERROR:
        // The library has logged it already (warning level); this is its event for displays.
        ESP_LOGD(TAG, "Error event: %s", e.reason.c_str());
        break;
      default:
        ESP_LOGV(TAG, "Event %u", e.kind);
        break;
    }
  }
}

// ---------------------------------------------------------------- outputs

void OcppCp::publish_outputs_(uint64_t now) {
  if (now - this->last_publish_ms_ < PUBLISH_INTERVAL_MS)
    return;
  bool energy_due = now / SESSION_ENERGY_INTERVAL_MS != this->last_publish_ms_ / SESSION_ENERGY_INTERVAL_MS;
  this->last_publish_ms_ = now;
  std::string state = this->connection_state();
  if (state != this->connection_state_) {
    this->connection_state_ = state;
    if (this->connection_state_sensor_ != nullptr)
      this->connection_state_sensor_->publish_state(state);
  }
  for (auto &c : this->connectors_) {
    if (c.status_sensor != nullptr) {
      std::string status = this->connector_status(c.id);
      if (!status.empty() && (!c.status_sensor->has_state() || c.status_sensor->state != status))
        c.status_sensor->publish_state(status);
    }
    if (c.transaction_id_sensor != nullptr) {
      int id = this->transaction_id(c.id);
      float v = id < 0 ? NAN : static_cast<float>(id);
      float old = c.transaction_id_sensor->state;
      if (!c.transaction_id_sensor->has_state() || !(v == old || (std::isnan(v) && std::isnan(old))))
        c.transaction_id_sensor->publish_state(v);
    }
    if (c.current_limit_sensor != nullptr || c.power_limit_sensor != nullptr) {
      double amps = -1.0, watts = -1.0;
      bool limited = ocpp_cp_limit(this->cp_, c.id, &amps, &watts) == OCPP_CP_OK;
      float a = limited && amps >= 0.0 ? static_cast<float>(amps) : NAN;
      float w = limited && watts >= 0.0 ? static_cast<float>(watts) : NAN;
      auto publish = [](sensor::Sensor *s, float v) {
        if (s == nullptr)
          return;
        float old = s->state;
        if (!s->has_state() || !(v == old || (std::isnan(v) && std::isnan(old))))
          s->publish_state(v);
      };
      publish(c.current_limit_sensor, a);
      publish(c.power_limit_sensor, w);
    }
    if (c.session_energy_sensor != nullptr && (energy_due || !c.session_energy_sensor->has_state())) {
      double wh = 0.0;
      bool have = ocpp_cp_session_energy_wh(this->cp_, now, c.id, &wh) == OCPP_CP_OK;
      c.session_energy_sensor->publish_state(have ? static_cast<float>(wh) : NAN);
    }
  }
}

// ---------------------------------------------------------------- lambda API

bool OcppCp::check_(int32_t r, const char *what) {
  if (r == OCPP_CP_OK)
    return true;
  if (r == OCPP_CP_PANIC) {
    // The core caught an internal error at the boundary: the handle must not be used again.
    ESP_LOGE(TAG, "%s: internal error in the charge point; OCPP stops here", what);
    ocpp_cp_free(this->cp_);
    this->cp_ = nullptr;
    this->transport_.close();
    this->link_open_ = false;
    this->status_set_error();
    return false;
  }
  if (r != OCPP_CP_EMPTY)
    ESP_LOGW(TAG, "%s: %s", what, ocpp_cp_result_name(static_cast<ocpp_cp_result>(r)));
  return false;
}

bool OcppCp::start_transaction(const std::string &id_tag, uint32_t connector) {
  if (this->cp_ == nullptr || id_tag.empty())
    return false;
  return this->check_(ocpp_cp_begin_transaction(this->cp_, millis_64(), connector, id_tag.c_str()),
                      "start_transaction");
}

bool OcppCp::end_transaction_on(uint32_t connector, const std::string &reason, const std::string &id_tag) {
  if (this->cp_ == nullptr)
    return false;
  return this->check_(ocpp_cp_end_transaction(this->cp_, millis_64(), connector,
                                              reason.empty() ? nullptr : reason.c_str(),
                                              id_tag.empty() ? nullptr : id_tag.c_str()),
                      "end_transaction");
}

bool OcppCp::present_id_tag(const std::string &id_tag) {
  if (this->cp_ == nullptr || id_tag.empty())
    return false;
  return this->check_(ocpp_cp_present_id_tag(this->cp_, millis_64(), id_tag.c_str()), "present_id_tag");
}

bool OcppCp::report_firmware_status(const std::string &status) {
  if (this->cp_ == nullptr)
    return false;
  // Remember an update in progress: if we come back up, it worked (ota.http_request.flash
  // downloads and writes in one go, and reboots only after a successful write).
  if (status == "Downloading" || status == "Downloaded" || status == "Installing") {
    uint8_t one = 1;
    this->storage_.write(FIRMWARE_FLAG_KEY, &one, 1);
  } else {
    this->storage_.remove(FIRMWARE_FLAG_KEY);
  }
  return this->check_(ocpp_cp_firmware_status(this->cp_, millis_64(), status.c_str()), "firmware_status");
}

bool OcppCp::report_diagnostics_status(const std::string &status) {
  if (this->cp_ == nullptr)
    return false;
  return this->check_(ocpp_cp_diagnostics_status(this->cp_, millis_64(), status.c_str()), "diagnostics_status");
}

bool OcppCp::set_plugged(bool plugged, uint32_t connector) {
  if (this->cp_ == nullptr)
    return false;
  if (Connector *c = this->connector_(connector))
    c->plugged = plugged ? 1 : 0;
  return this->check_(ocpp_cp_set_plugged(this->cp_, millis_64(), connector, plugged), "set_plugged");
}

bool OcppCp::set_fault(const std::string &error_code, const std::string &info, uint32_t connector) {
  if (this->cp_ == nullptr)
    return false;
  return this->check_(ocpp_cp_set_fault(this->cp_, millis_64(), connector, error_code.c_str(),
                                        info.empty() ? nullptr : info.c_str()),
                      "set_fault");
}

bool OcppCp::set_meter(const std::string &measurand, float value, uint32_t connector, const std::string &phase) {
  if (this->cp_ == nullptr || std::isnan(value))
    return false;
  return this->check_(ocpp_cp_set_meter(this->cp_, millis_64(), connector, measurand.c_str(),
                                        phase.empty() ? nullptr : phase.c_str(), value),
                      "set_meter");
}

bool OcppCp::send_data_transfer(const std::string &vendor_id, const std::string &message_id,
                                const std::string &data) {
  if (this->cp_ == nullptr)
    return false;
  return this->check_(ocpp_cp_send_data_transfer(this->cp_, millis_64(), vendor_id.c_str(),
                                                 message_id.empty() ? nullptr : message_id.c_str(),
                                                 data.empty() ? nullptr : data.c_str()),
                      "send_data_transfer");
}

bool OcppCp::set_configuration(const std::string &key, const std::string &value) {
  if (this->cp_ == nullptr)
    return false;
  ocpp_cp_result r = ocpp_cp_set_configuration(this->cp_, millis_64(), key.c_str(), value.c_str());
  return r == OCPP_CP_REBOOT_REQUIRED || this->check_(r, "set_configuration");
}

std::string OcppCp::connection_state() const {
  if (this->cp_ == nullptr)
    return "disconnected";
  const char *s = ocpp_cp_connection_state(this->cp_);
  return s == nullptr ? "unknown" : s;
}

std::string OcppCp::connector_status(uint32_t connector) const {
  if (this->cp_ == nullptr)
    return "";
  const char *s = ocpp_cp_connector_status(this->cp_, connector);
  return s == nullptr ? "" : s;
}

int OcppCp::transaction_id(uint32_t connector) const {
  if (this->cp_ == nullptr)
    return -1;
  int32_t id = -1;
  if (ocpp_cp_transaction_id(this->cp_, connector, &id) != OCPP_CP_OK)
    return -1;
  return id;
}

void OcppCp::on_safe_shutdown() {
  // A close frame (1000) before the socket goes, so the central system sees a clean close.
  if (this->cp_ != nullptr && this->link_open_) {
    this->check_(ocpp_cp_close(this->cp_, millis_64()), "close");
    this->write_outgoing_();
  }
  this->transport_.close();
  this->link_open_ = false;
}

// ---------------------------------------------------------------- dump_config

void OcppCp::dump_config() {
  ESP_LOGCONFIG(TAG, "OCPP 1.6J charge point (ocpp-cp):");
  ESP_LOGCONFIG(TAG, "  Central system: %s", this->csms_url_.c_str());
  ESP_LOGCONFIG(TAG, "  Charge point id: %s", this->charge_point_id_.c_str());
  ESP_LOGCONFIG(TAG, "  Basic auth (security profile 1): %s", this->authorization_key_.empty() ? "no" : "yes");
  ESP_LOGCONFIG(TAG, "  Vendor/model/firmware: %s / %s / %s", this->vendor_.c_str(), this->model_.c_str(),
                this->firmware_version_.empty() ? "-" : this->firmware_version_.c_str());
  if (!this->serial_number_.empty())
    ESP_LOGCONFIG(TAG, "  Serial number: %s", this->serial_number_.c_str());
  ESP_LOGCONFIG(TAG, "  Phases: %u, nominal voltage %.1f V (%.1f V per phase), 3->1 phase switching: %s",
                this->phases_, this->nominal_voltage_, this->phase_voltage_, YESNO(this->phase_switching_supported_));
  ESP_LOGCONFIG(TAG, "  Lock offered current during a transaction: %s", YESNO(this->lock_offered_current_));
  if (this->heartbeat_interval_s_ > 0)
    ESP_LOGCONFIG(TAG, "  HeartbeatInterval: %" PRIu32 " s (kept over BootNotification's)",
                  this->heartbeat_interval_s_);
  if (this->meter_value_sample_interval_s_ > 0)
    ESP_LOGCONFIG(TAG, "  MeterValueSampleInterval: %" PRIu32 " s", this->meter_value_sample_interval_s_);
  ESP_LOGCONFIG(TAG, "  MeterValuesSampledData: %s", this->meter_values_sampled_data_.c_str());
  if (!this->stop_txn_sampled_data_.empty())
    ESP_LOGCONFIG(TAG, "  StopTxnSampledData: %s", this->stop_txn_sampled_data_.c_str());
  ESP_LOGCONFIG(TAG, "  Persistence: %s (transaction queue %" PRIu32 ")", YESNO(this->persistence_),
                this->transaction_queue_size_);
  ESP_LOGCONFIG(TAG, "  Connectors: %u", static_cast<unsigned>(this->connectors_.size()));
  for (const auto &c : this->connectors_) {
    ESP_LOGCONFIG(TAG, "  Connector %" PRIu32 ":", c.id);
    if (c.status_from != nullptr)
      ESP_LOGCONFIG(TAG, "    Status from: '%s' (%u mappings)", c.status_from->get_name().c_str(),
                    static_cast<unsigned>(c.status_mapping.size()));
    if (c.plugged_from != nullptr)
      ESP_LOGCONFIG(TAG, "    Plugged from: '%s'", c.plugged_from->get_name().c_str());
    if (c.soc_plugged_from != nullptr)
      ESP_LOGCONFIG(TAG, "    SoC gate: '%s'", c.soc_plugged_from->get_name().c_str());
    if (c.current_offered != nullptr)
      ESP_LOGCONFIG(TAG, "    Current offered from: '%s'", c.current_offered->get_name().c_str());
    for (const auto *in : this->meter_inputs_) {
      if (in->connector == c.id) {
        ESP_LOGCONFIG(TAG, "    %s%s%s <- '%s' (x%g)%s", measurand_of(in->kind), in->phase[0] ? " " : "", in->phase,
                      in->sensor->get_name().c_str(), in->scale,
                      in->gated_by_api ? " [while the API is connected]" : "");
      }
    }
  }
  ESP_LOGCONFIG(TAG, "  Automations: remote_start %u, remote_stop %u, reset %u, unlock %u, profile %u, "
                "trigger_message %u, data_transfer %u, update_firmware %u, energy_offered %u",
                (unsigned) this->remote_start_cb_.size(), (unsigned) this->remote_stop_cb_.size(),
                (unsigned) this->reset_cb_.size(), (unsigned) this->unlock_cb_.size(),
                (unsigned) this->limit_cb_.size(),
                (unsigned) this->trigger_message_cb_.size(), (unsigned) this->data_transfer_cb_.size(),
                (unsigned) this->update_firmware_cb_.size(), (unsigned) this->energy_offered_cb_.size());
#ifdef USE_OCPP_TIME
  ESP_LOGCONFIG(TAG, "  Wall clock: from the time component");
#endif
  if (this->cp_ == nullptr)
    ESP_LOGE(TAG, "  The charge point could not be created (see above)");
}

}  // namespace esphome::ocpp
