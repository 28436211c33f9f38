/* The shipped C ABI in a minimal firmware image (footprint.sh --abi): the empty image (cc
 * without -DWITH_OCPP) and one that drives the charge point and its WebSocket client through
 * include/ocpp_cp.h as a firmware does (socket bytes in and out, sensors, plug, id tag,
 * events, storage callbacks). Inputs come from volatile "hardware registers", so nothing is
 * constant-folded away. */
#include "hw.h"

#ifdef WITH_OCPP
#include "ocpp_cp.h"

static uint8_t rx[512];
static uint8_t flash[4096];
static size_t flash_len;

static int32_t st_read(void *user, const char *key, uint8_t *buf, size_t cap, size_t *len) {
    (void)user;
    (void)key;
    if (!flash_len) return 1;
    *len = flash_len;
    for (size_t i = 0; i < flash_len && i < cap; i++) buf[i] = flash[i];
    return 0;
}
static int32_t st_write(void *user, const char *key, const uint8_t *data, size_t len) {
    (void)user;
    (void)key;
    if (len > sizeof flash) return -2;
    for (size_t i = 0; i < len; i++) flash[i] = data[i];
    flash_len = len;
    return 0;
}
static void on_log(void *user, uint8_t level, const char *line) {
    (void)user;
    hw_tx_sink = level ^ (uint8_t)line[0];
}
#endif

int main(void) {
#ifdef WITH_OCPP
    ocpp_cp_set_logger(on_log, NULL);
    ocpp_cp_config cfg;
    ocpp_cp_config_init(&cfg);
    cfg.csms_url = "ws://192.168.1.2:8180/steve/websocket/CentralSystemService/CP_1";
    cfg.charge_point_id = "CP_1";
    cfg.random_seed = hw_clock_ms;
    cfg.storage.read = st_read;
    cfg.storage.write = st_write;
    ocpp_cp *cp = NULL;
    if (ocpp_cp_new(&cfg, hw_clock_ms, &cp) != OCPP_CP_OK) return 1;
    while (hw_inputs != 0xdead) {
        uint64_t now = hw_clock_ms;
        uint32_t in = hw_inputs;
        ocpp_cp_link_action act;
        while (ocpp_cp_poll_link(cp, now, &act) == OCPP_CP_OK) hw_tx_sink = act.kind;
        if (in & 128) ocpp_cp_socket_opened(cp, now);
        if (in & 256) ocpp_cp_socket_closed(cp, now);
        size_t n = hw_rx_len;
        if (n > sizeof rx) n = sizeof rx;
        for (size_t i = 0; i < n; i++) rx[i] = hw_rx[i];
        if (n) ocpp_cp_receive(cp, now, rx, n);
        ocpp_cp_set_meter(cp, now, 1, "Energy.Active.Import.Register", NULL, hw_energy_wh);
        ocpp_cp_set_meter(cp, now, 1, "Power.Active.Import", NULL, hw_power_w);
        if (in & 1) ocpp_cp_set_plugged(cp, now, 1, (in & 2) != 0);
        if (in & 4) ocpp_cp_begin_transaction(cp, now, 1, (const char *)rx);
        if (in & 8) ocpp_cp_end_transaction(cp, now, 1, NULL, NULL);
        if (in & 16) ocpp_cp_present_id_tag(cp, now, (const char *)rx);
        ocpp_cp_tick(cp, now);
        const uint8_t *out;
        size_t len;
        while (ocpp_cp_outgoing(cp, &out, &len) == OCPP_CP_OK) {
            for (size_t i = 0; i < len; i++) hw_tx_sink = out[i];
            ocpp_cp_consume(cp, len);
        }
        ocpp_cp_event ev;
        while (ocpp_cp_poll_event(cp, &ev) == OCPP_CP_OK) hw_tx_sink = ev.kind ^ (uint8_t)ev.amps;
        hw_tx_sink = (uint8_t)ocpp_cp_connection_state(cp)[0];
    }
    ocpp_cp_free(cp);
#endif
    return 0;
}
