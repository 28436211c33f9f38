#include "hello_component.h"
#include "esphome/core/log.h"

namespace esphome::hello {

static const char *const TAG = "hello";

// The test waits for this exact line: it proves the static library was linked and called.
void HelloComponent::setup() {
  ESP_LOGI(TAG, "libhello says %s %d", hello_greeting(), hello_answer(this->factor_));
}

void HelloComponent::dump_config() { ESP_LOGCONFIG(TAG, "Hello:\n  Factor: %d", this->factor_); }

}  // namespace esphome::hello
