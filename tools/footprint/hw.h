/* What both footprint images share: "hardware registers" the firmware reads (volatile, so
 * nothing is constant-folded away) and, on RISC-V, the process stubs ARM's nosys.specs gives. */
#ifndef FOOTPRINT_HW_H
#define FOOTPRINT_HW_H
#include <stddef.h>
#include <stdint.h>

volatile uint32_t hw_clock_ms;
volatile uint32_t hw_inputs;
volatile double hw_energy_wh, hw_power_w;
volatile uint8_t hw_rx[512];
volatile size_t hw_rx_len;
volatile uint8_t hw_tx_sink;

#if defined(__riscv)
/* What ARM's --specs=nosys.specs gives: process stubs that abort() reaches through raise(). */
void _exit(int code) { (void)code; for (;;) {} }
int kill(int pid, int sig) { (void)pid; (void)sig; return -1; }
int getpid(void) { return 1; }
#endif
#endif
