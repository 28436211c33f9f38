#include "storage.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "esphome/core/helpers.h"
#include "esphome/core/log.h"

namespace esphome::ocpp {

static const char *const TAG = "ocpp";

RawPreference &PrefsStorage::pref_(const char *key, const char *part) {
  char name[48];
  snprintf(name, sizeof(name), "ocpp/%s/%s", key, part);
  uint32_t id = fnv1_hash(name);
  auto it = this->prefs_.find(id);
  if (it != this->prefs_.end())
    return it->second;
  RawPreference pref(global_preferences->make_preference(CHUNK, id, true));
  return this->prefs_.emplace(id, pref).first->second;
}

int32_t PrefsStorage::read(const char *key, uint8_t *buf, size_t cap, size_t *len) {
  uint32_t stored = 0;
  if (!this->pref_(key, "n").load_raw(reinterpret_cast<uint8_t *>(&stored), sizeof(stored)) || stored == 0)
    return 1;  // absent (an empty value is how a removed key looks)
  if (stored > MAX_LEN) {
    ESP_LOGW(TAG, "storage: '%s' has a bad length record (%u)", key, (unsigned) stored);
    return 1;
  }
  *len = stored;
  if (stored > cap)
    return 0;  // the core calls again with a buffer of *len bytes
  size_t done = 0;
  for (unsigned i = 0; done < stored; i++) {
    char part[8];
    snprintf(part, sizeof(part), "%u", i);
    size_t n = std::min(CHUNK, static_cast<size_t>(stored) - done);
    if (!this->pref_(key, part).load_raw(buf + done, n)) {
      // A chunk is missing or has another length (a torn write): report the key absent
      // rather than half a value; the core falls back to its other slot.
      ESP_LOGW(TAG, "storage: '%s' chunk %u unreadable", key, i);
      return 1;
    }
    done += n;
  }
  return 0;
}

int32_t PrefsStorage::write(const char *key, const uint8_t *data, size_t len) {
  if (len > MAX_LEN) {
    ESP_LOGE(TAG, "storage: '%s' value of %u bytes is too large", key, (unsigned) len);
    return -1;
  }
  bool ok = true;
  size_t done = 0;
  for (unsigned i = 0; done < len; i++) {
    char part[8];
    snprintf(part, sizeof(part), "%u", i);
    size_t n = std::min(CHUNK, len - done);
    ok = this->pref_(key, part).save_raw(data + done, n) && ok;
    done += n;
  }
  uint32_t stored = static_cast<uint32_t>(len);
  ok = this->pref_(key, "n").save_raw(reinterpret_cast<const uint8_t *>(&stored), sizeof(stored)) && ok;
  ok = global_preferences->sync() && ok;
  if (!ok) {
    ESP_LOGE(TAG, "storage: writing '%s' (%u bytes) failed", key, (unsigned) len);
    return -1;
  }
  return 0;
}

int32_t PrefsStorage::remove(const char *key) {
  // Preferences cannot delete; a zero length reads back as absent.
  uint32_t zero = 0;
  bool ok = this->pref_(key, "n").save_raw(reinterpret_cast<const uint8_t *>(&zero), sizeof(zero));
  ok = global_preferences->sync() && ok;
  return ok ? 0 : -1;
}

int32_t PrefsStorage::read_cb(void *user, const char *key, uint8_t *buf, size_t cap, size_t *len) {
  if (user == nullptr || key == nullptr || len == nullptr || (buf == nullptr && cap > 0))
    return -1;
  return static_cast<PrefsStorage *>(user)->read(key, buf, cap, len);
}

int32_t PrefsStorage::write_cb(void *user, const char *key, const uint8_t *data, size_t len) {
  if (user == nullptr || key == nullptr || (data == nullptr && len > 0))
    return -1;
  return static_cast<PrefsStorage *>(user)->write(key, data, len);
}

int32_t PrefsStorage::remove_cb(void *user, const char *key) {
  if (user == nullptr || key == nullptr)
    return -1;
  return static_cast<PrefsStorage *>(user)->remove(key);
}

}  // namespace esphome::ocpp
