#pragma once

#include "esphome/core/component.h"

// From libhello.a (lib/hello.c), linked by the -L/-l build flags that __init__.py adds.
extern "C" {
const char *hello_greeting(void);
int hello_answer(int factor);
}

namespace esphome::hello {

class HelloComponent : public Component {
 public:
  void set_factor(int factor) { this->factor_ = factor; }
  void setup() override;
  void dump_config() override;
  float get_setup_priority() const override { return setup_priority::DATA; }

 protected:
  int factor_{21};
};

}  // namespace esphome::hello
