#pragma once

// The charge point's key/blob storage (offline journal, configuration, local list, profiles)
// on ESPHome preferences.
//
// ESPHome preferences store fixed-size values: on host, ESP32 (NVS) and LibreTiny (FlashDB) a
// load succeeds only when the length asked for equals the stored length, and the host backend
// keeps at most 255 bytes per value. So a blob of n bytes under key K is kept as
//   "ocpp/K/n"   a 4-byte length record (0 = absent: preferences cannot delete),
//   "ocpp/K/0".. "ocpp/K/<i>"   chunks of CHUNK bytes, the last one n % CHUNK (or CHUNK),
// each hashed to its own preference id. The length record tells the exact size of every
// chunk. A power cut between chunk writes leaves a mix of old and new bytes; the Rust core
// detects that (CRC + sequence numbers per slot) and falls back to its other slot. Every
// write ends with global_preferences->sync(), so it is durable when the callback returns.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "esphome/core/preferences.h"

namespace esphome::ocpp {

/// A preference saved and loaded with a length chosen per call (ESPPreferenceObject itself
/// only offers sizeof(T)).
class RawPreference : public ESPPreferenceObject {
 public:
  RawPreference() = default;
  explicit RawPreference(const ESPPreferenceObject &obj) : ESPPreferenceObject(obj) {}
  bool save_raw(const uint8_t *data, size_t len) {
    return this->backend_ != nullptr && this->backend_->save(data, len);
  }
  bool load_raw(uint8_t *data, size_t len) { return this->backend_ != nullptr && this->backend_->load(data, len); }
};

class PrefsStorage {
 public:
  /// Fits the host backend's 255-byte limit.
  static constexpr size_t CHUNK = 240;
  /// Longest blob accepted (the core's largest slot is ~1 KiB + header).
  static constexpr size_t MAX_LEN = 8192;

  int32_t read(const char *key, uint8_t *buf, size_t cap, size_t *len);
  int32_t write(const char *key, const uint8_t *data, size_t len);
  int32_t remove(const char *key);

  // C ABI trampolines (ocpp_cp_storage).
  static int32_t read_cb(void *user, const char *key, uint8_t *buf, size_t cap, size_t *len);
  static int32_t write_cb(void *user, const char *key, const uint8_t *data, size_t len);
  static int32_t remove_cb(void *user, const char *key);

 protected:
  /// Preference objects are created once per id (make_preference allocates each time).
  RawPreference &pref_(const char *key, const char *part);
  std::map<uint32_t, RawPreference> prefs_;
};

}  // namespace esphome::ocpp
