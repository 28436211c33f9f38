/* A minimal firmware image: the empty one (cc without -DWITH_OCPP) and the one that creates
 * the charge point, runs its loop and calls the usual API. Flash used by the charge point =
 * the two images' difference. Inputs come from volatile "hardware registers", so nothing is
 * constant-folded away. Built by tools/footprint/footprint.sh. */
#include "hw.h"

#ifdef WITH_OCPP
typedef struct Cp Cp;
Cp *ocpp_fp_new(const uint8_t *id, size_t id_len, uint32_t connectors);
void ocpp_fp_free(Cp *cp);
void ocpp_fp_link(Cp *cp, uint64_t now_ms, int up);
void ocpp_fp_feed(Cp *cp, uint64_t now_ms, const uint8_t *frame, size_t len);
uint64_t ocpp_fp_loop(Cp *cp, uint64_t now_ms);
size_t ocpp_fp_take(Cp *cp, uint8_t *buf, size_t cap);
int ocpp_fp_event(Cp *cp);
int ocpp_fp_plug(Cp *cp, uint64_t now_ms, uint32_t connector, int plugged);
int ocpp_fp_begin(Cp *cp, uint64_t now_ms, uint32_t connector, const uint8_t *tag, size_t len);
int ocpp_fp_end(Cp *cp, uint64_t now_ms, uint32_t connector);
int ocpp_fp_tag(Cp *cp, uint64_t now_ms, const uint8_t *tag, size_t len);
int ocpp_fp_meter(Cp *cp, uint64_t now_ms, uint32_t connector, uint32_t measurand, double value);

static uint8_t rx[512], tx[1024];
#endif

int main(void) {
#ifdef WITH_OCPP
    Cp *cp = ocpp_fp_new((const uint8_t *)"CP_1", 4, 1);
    ocpp_fp_link(cp, hw_clock_ms, 1);
    while (hw_inputs != 0xdead) {
        uint64_t now = hw_clock_ms;
        uint32_t in = hw_inputs;
        size_t n = hw_rx_len;
        if (n > sizeof rx) n = sizeof rx;
        for (size_t i = 0; i < n; i++) rx[i] = hw_rx[i];
        if (n) ocpp_fp_feed(cp, now, rx, n);
        ocpp_fp_meter(cp, now, 1, 0, hw_energy_wh);
        ocpp_fp_meter(cp, now, 1, 1, hw_power_w);
        if (in & 1) ocpp_fp_plug(cp, now, 1, (in & 2) != 0);
        if (in & 4) ocpp_fp_begin(cp, now, 1, rx, 3);
        if (in & 8) ocpp_fp_end(cp, now, 1);
        if (in & 16) ocpp_fp_tag(cp, now, rx, 4);
        if (in & 32) ocpp_fp_link(cp, now, (in & 64) != 0);
        ocpp_fp_loop(cp, now);
        size_t len;
        while ((len = ocpp_fp_take(cp, tx, sizeof tx)) != 0)
            for (size_t i = 0; i < len && i < sizeof tx; i++) hw_tx_sink = tx[i];
        int ev;
        while ((ev = ocpp_fp_event(cp)) != 0) hw_tx_sink = (uint8_t)ev;
    }
    ocpp_fp_free(cp);
#endif
    return 0;
}
