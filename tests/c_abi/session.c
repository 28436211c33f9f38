/* A C firmware in miniature: drives a whole charging session through include/ocpp_cp.h
 * against a central system on 127.0.0.1 (tests/c_abi/test_c_abi.py starts it and plays the
 * central system's part). Built and run under AddressSanitizer + LeakSanitizer + UBSan.
 *
 *   session URL        prints one line per event on stdout ("EVENT kind ..."), exits 0 when
 *                      the session ran to its end, 1 on any failure, 2 on a timeout.
 *
 * What it does: checks the ABI's refusals (NULL, bad names, NaN, small buffers), keeps its
 * state in an in-memory storage behind the storage callbacks, opens the socket the library
 * asks for, waits for BootNotification to be accepted, plugs, presents TAG1, feeds meter
 * readings every 100 ms while the transaction runs, and reacts to the central system:
 * a LIMIT event is printed with its amps; REMOTE_STOP ends the transaction (the library
 * stops it itself); then it unplugs and waits until the queue is empty and connector 1 is
 * Available again, frees the handle and checks that storage still holds the open state
 * (a power cut would have been survived). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ocpp_cp.h"

static int failures = 0;
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "session.c:%d: check failed: %s\n", __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- storage: a tiny key/blob map in RAM, as ESPHome preferences would be in flash ---- */
#define SLOTS 96
struct slot {
    char key[16];
    uint8_t *data;
    size_t len;
};
struct store {
    struct slot slots[SLOTS];
    unsigned writes;
};

static struct slot *find(struct store *s, const char *key, int create) {
    for (int i = 0; i < SLOTS; i++)
        if (s->slots[i].key[0] && strcmp(s->slots[i].key, key) == 0) return &s->slots[i];
    if (!create) return NULL;
    for (int i = 0; i < SLOTS; i++)
        if (!s->slots[i].key[0]) {
            snprintf(s->slots[i].key, sizeof s->slots[i].key, "%s", key);
            return &s->slots[i];
        }
    return NULL;
}

static int32_t st_read(void *user, const char *key, uint8_t *buf, size_t cap, size_t *len) {
    struct slot *sl = find(user, key, 0);
    if (!sl || sl->len == 0) return 1;
    *len = sl->len;
    if (sl->len <= cap) memcpy(buf, sl->data, sl->len);
    return 0;
}

static int32_t st_write(void *user, const char *key, const uint8_t *data, size_t len) {
    struct store *s = user;
    if (strlen(key) > 15) return -1;
    struct slot *sl = find(s, key, 1);
    if (!sl) return -2;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return -1;
    if (len) memcpy(copy, data, len);
    free(sl->data);
    sl->data = copy;
    sl->len = len;
    s->writes++;
    return 0;
}

static int32_t st_remove(void *user, const char *key) {
    struct slot *sl = find(user, key, 0);
    if (sl) {
        free(sl->data);
        memset(sl, 0, sizeof *sl);
    }
    return 0;
}

static void store_free(struct store *s) {
    for (int i = 0; i < SLOTS; i++) free(s->slots[i].data);
}

static unsigned log_lines = 0;
static void on_log(void *user, uint8_t level, const char *line) {
    (void)user;
    log_lines++;
    fprintf(stderr, "log %u: %s\n", level, line);
}

/* ---- the socket ---- */
static int open_tcp(const char *host, uint16_t port) {
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, service, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void print_str(const char *name, ocpp_cp_str s) {
    if (s.len) printf(" %s=%.*s", name, (int)s.len, s.ptr);
}

/* ---- the ABI's refusals, before any session ---- */
static void check_refusals(void) {
    ocpp_cp_config cfg;
    ocpp_cp_config_init(&cfg);
    ocpp_cp *cp = NULL;
    CHECK(ocpp_cp_new(NULL, 0, &cp) == OCPP_CP_NULL_ARGUMENT);
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_NULL_ARGUMENT); /* no URL */
    cfg.csms_url = "http://127.0.0.1:1/CP";
    cfg.charge_point_id = "CP";
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_INVALID_CONFIG);
    CHECK(cp == NULL);
    cfg.csms_url = "ws://127.0.0.1:1/CP";
    cfg.vendor = "a vendor name longer than twenty characters";
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_INVALID_CONFIG);
    cfg.vendor = "ocpp-cp";
    cfg.connectors = 0;
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_INVALID_CONFIG);
    cfg.connectors = 1;
    cfg.phases = 0;
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_INVALID_CONFIG);
    cfg.phases = 1;
    CHECK(ocpp_cp_new(&cfg, 0, &cp) == OCPP_CP_OK && cp != NULL);
    CHECK(ocpp_cp_set_meter(cp, 0, 1, "Voltage", NULL, INFINITY) == OCPP_CP_INVALID_ARGUMENT);
    CHECK(ocpp_cp_set_meter(cp, 0, 1, "Voltage", NULL, NAN) == OCPP_CP_OK); /* forgets it */
    CHECK(ocpp_cp_set_meter(cp, 0, 9, "Voltage", NULL, NAN) == OCPP_CP_UNKNOWN_CONNECTOR);
    CHECK(ocpp_cp_set_meter(cp, 0, 1, "Volts", NULL, 230) == OCPP_CP_INVALID_ARGUMENT);
    CHECK(ocpp_cp_set_meter(cp, 0, 1, "Voltage", "L4", 230) == OCPP_CP_INVALID_ARGUMENT);
    CHECK(ocpp_cp_set_meter(cp, 0, 7, "Voltage", NULL, 230) == OCPP_CP_UNKNOWN_CONNECTOR);
    CHECK(ocpp_cp_set_meter(cp, 0, 1, NULL, NULL, 230) == OCPP_CP_NULL_ARGUMENT);
    CHECK(ocpp_cp_set_plugged(NULL, 0, 1, true) == OCPP_CP_NULL_ARGUMENT);
    CHECK(ocpp_cp_set_plugged(cp, 0, 0, true) == OCPP_CP_UNKNOWN_CONNECTOR);
    CHECK(ocpp_cp_begin_transaction(cp, 0, 1, "") == OCPP_CP_INVALID_ID_TAG);
    CHECK(ocpp_cp_begin_transaction(cp, 0, 1, "TAG_LONGER_THAN_20_CHARS") == OCPP_CP_INVALID_ID_TAG);
    CHECK(ocpp_cp_end_transaction(cp, 0, 1, NULL, NULL) == OCPP_CP_NO_TRANSACTION);
    CHECK(ocpp_cp_end_transaction(cp, 0, 1, "Bored", NULL) == OCPP_CP_INVALID_ARGUMENT);
    CHECK(ocpp_cp_set_fault(cp, 0, 1, "Melted", NULL) == OCPP_CP_INVALID_ARGUMENT);
    CHECK(ocpp_cp_set_configuration(cp, 0, "HeartbeatInterval", "soon") == OCPP_CP_REJECTED);
    CHECK(ocpp_cp_set_configuration(cp, 0, "NoSuchKey", "1") == OCPP_CP_NOT_SUPPORTED);
    CHECK(ocpp_cp_set_configuration(cp, 0, "HeartbeatInterval", "120") == OCPP_CP_OK);
    char small[2];
    size_t len = 0;
    CHECK(ocpp_cp_get_configuration(cp, "HeartbeatInterval", small, sizeof small, &len) ==
          OCPP_CP_BUFFER_TOO_SMALL);
    CHECK(len == 3);
    char buf[16];
    CHECK(ocpp_cp_get_configuration(cp, "HeartbeatInterval", buf, sizeof buf, &len) == OCPP_CP_OK);
    CHECK(len == 3 && strcmp(buf, "120") == 0);
    CHECK(ocpp_cp_get_configuration(cp, "Nope", buf, sizeof buf, &len) == OCPP_CP_NOT_SUPPORTED);
    CHECK(ocpp_cp_get_configuration(cp, "AuthorizationKey", buf, sizeof buf, &len) == OCPP_CP_EMPTY);
    CHECK(strcmp(ocpp_cp_connection_state(cp), "disconnected") == 0);
    CHECK(strcmp(ocpp_cp_result_name(OCPP_CP_QUEUE_FULL), "OCPP_CP_QUEUE_FULL") == 0);
    int32_t tx = 0;
    CHECK(ocpp_cp_transaction_id(cp, 1, &tx) == OCPP_CP_EMPTY);
    const uint8_t *data = NULL;
    CHECK(ocpp_cp_outgoing(cp, &data, NULL) == OCPP_CP_NULL_ARGUMENT);
    CHECK(ocpp_cp_receive(cp, 0, NULL, 5) == OCPP_CP_NULL_ARGUMENT);
    ocpp_cp_event ev;
    while (ocpp_cp_poll_event(cp, &ev) == OCPP_CP_OK) {
    }
    ocpp_cp_free(cp);
    ocpp_cp_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: session ws://127.0.0.1:PORT/CP_1\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    ocpp_cp_set_logger(on_log, NULL);
    check_refusals();

    static struct store store;
    ocpp_cp_config cfg;
    ocpp_cp_config_init(&cfg);
    cfg.csms_url = argv[1];
    cfg.charge_point_id = "CP_1";
    cfg.vendor = "ocpp-cp";
    cfg.model = "c-abi-test";
    cfg.firmware_version = "1.2.3";
    cfg.heartbeat_interval_s = 30;
    cfg.random_seed = (uint32_t)now_ms() ^ (uint32_t)getpid();
    cfg.storage.user = &store;
    cfg.storage.read = st_read;
    cfg.storage.write = st_write;
    cfg.storage.remove = st_remove;

    ocpp_cp *cp = NULL;
    uint64_t start = now_ms();
    if (ocpp_cp_new(&cfg, start, &cp) != OCPP_CP_OK) {
        fprintf(stderr, "ocpp_cp_new failed\n");
        return 1;
    }
    CHECK(ocpp_cp_set_configuration(cp, start, "MeterValueSampleInterval", "1") == OCPP_CP_OK);
    CHECK(ocpp_cp_set_configuration(cp, start, "MeterValuesSampledData",
                                    "Energy.Active.Import.Register,Power.Active.Import,Voltage") ==
          OCPP_CP_OK);

    int fd = -1;
    int plugged = 0, stopped = 0, unplugged = 0, done = 0;
    double energy_wh = 1000.0;
    uint64_t last_meter = 0;
    int rc = 2;
    while (now_ms() - start < 60000) {
        uint64_t now = now_ms();
        ocpp_cp_link_action act;
        while (ocpp_cp_poll_link(cp, now, &act) == OCPP_CP_OK) {
            if (act.kind == OCPP_CP_LINK_OPEN) {
                CHECK(!act.secure);
                fd = open_tcp(act.host.ptr, act.port);
                printf("LINK open %.*s:%u %s\n", (int)act.host.len, act.host.ptr, act.port,
                       fd >= 0 ? "ok" : "failed");
                if (fd >= 0)
                    ocpp_cp_socket_opened(cp, now);
                else
                    ocpp_cp_socket_closed(cp, now);
            } else if (act.kind == OCPP_CP_LINK_CLOSE && fd >= 0) {
                close(fd);
                fd = -1;
            }
        }
        const uint8_t *out;
        size_t out_len;
        while (fd >= 0 && ocpp_cp_outgoing(cp, &out, &out_len) == OCPP_CP_OK) {
            ssize_t n = write(fd, out, out_len);
            if (n <= 0) break;
            ocpp_cp_consume(cp, (size_t)n);
        }
        if (fd >= 0) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, 10) > 0) {
                uint8_t buf[1024];
                ssize_t n = read(fd, buf, sizeof buf);
                if (n > 0) {
                    ocpp_cp_receive(cp, now_ms(), buf, (size_t)n);
                } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    close(fd);
                    fd = -1;
                    ocpp_cp_socket_closed(cp, now_ms());
                }
            }
        } else {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        now = now_ms();
        ocpp_cp_tick(cp, now);
        if (plugged && !stopped && now - last_meter >= 100) {
            last_meter = now;
            energy_wh += 2.0;
            CHECK(ocpp_cp_set_meter(cp, now, 1, "Energy.Active.Import.Register", NULL, energy_wh) == OCPP_CP_OK);
            CHECK(ocpp_cp_set_meter(cp, now, 1, "Power.Active.Import", NULL, 7200.0) == OCPP_CP_OK);
            CHECK(ocpp_cp_set_meter(cp, now, 1, "Voltage", NULL, 231.5) == OCPP_CP_OK);
        }
        ocpp_cp_event ev;
        while (ocpp_cp_poll_event(cp, &ev) == OCPP_CP_OK) {
            printf("EVENT %u connector=%d tx=%d", ev.kind, ev.connector, ev.transaction_id);
            print_str("id_tag", ev.id_tag);
            print_str("status", ev.status);
            print_str("reason", ev.reason);
            print_str("name", ev.name);
            if (ev.kind == OCPP_CP_EVENT_LIMIT) printf(" amps=%.1f watts=%.1f", ev.amps, ev.watts);
            printf("\n");
            switch (ev.kind) {
            case OCPP_CP_EVENT_BOOT:
                CHECK(ev.status.len == 8 && memcmp(ev.status.ptr, "Accepted", 8) == 0);
                CHECK(strcmp(ocpp_cp_connection_state(cp), "ready") == 0);
                if (!plugged) {
                    CHECK(ocpp_cp_set_plugged(cp, now, 1, true) == OCPP_CP_OK);
                    CHECK(ocpp_cp_present_id_tag(cp, now, "TAG1") == OCPP_CP_OK);
                    plugged = 1;
                }
                break;
            case OCPP_CP_EVENT_TRANSACTION_STARTED: {
                int32_t id = -1;
                CHECK(ocpp_cp_transaction_id(cp, 1, &id) == OCPP_CP_OK && id == ev.transaction_id);
                CHECK(ocpp_cp_has_transaction(cp, 1));
                break;
            }
            case OCPP_CP_EVENT_TRANSACTION_STOPPED:
                stopped = 1;
                CHECK(ev.reason.len == 6 && memcmp(ev.reason.ptr, "Remote", 6) == 0);
                CHECK(ocpp_cp_set_plugged(cp, now, 1, false) == OCPP_CP_OK);
                unplugged = 1;
                break;
            case OCPP_CP_EVENT_STATUS:
                if (unplugged && ev.connector == 1 && ev.status.len == 9 &&
                    memcmp(ev.status.ptr, "Available", 9) == 0)
                    done = 1;
                break;
            default:
                break;
            }
        }
        if (done && ocpp_cp_queued_messages(cp) == 0) {
            rc = 0;
            break;
        }
    }
    const char *status = ocpp_cp_connector_status(cp, 1);
    printf("END status=%s queued=%zu writes=%u logs=%u\n", status ? status : "?", ocpp_cp_queued_messages(cp),
           store.writes, log_lines);
    CHECK(store.writes > 0);
    ocpp_cp_free(cp);
    if (fd >= 0) close(fd);
    store_free(&store);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return rc;
}
