/*
 * A libmodbus slave for the Modbus master's tests and benchmark.
 *
 *   modbus_peer tcp [--port N] [--silent UNIT]      listens on 127.0.0.1 (port 0: any free port),
 *                                                  prints "PORT <n>" once listening
 *   modbus_peer rtu DEVICE BAUD SLAVE               serves SLAVE on a serial device, prints "READY"
 *
 * The register map is filled with known patterns and typed values (see fill()); the tests hold the same
 * constants. Reads beyond the map get libmodbus's own "illegal data address" exception; a read of holding
 * register 599 answers "server device busy"; requests for the --silent unit (TCP) or for any slave but
 * SLAVE (RTU) get no answer at all.
 */
#include <errno.h>
#include <modbus.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define BITS 2000
#define REGISTERS 600
#define BUSY_ADDRESS 599

enum order { ABCD, CDAB, BADC, DCBA };

/* Lays out a value's bytes (A = most significant) as `words` registers in the given order. */
static void put(uint16_t *dest, uint64_t value, int words, enum order order)
{
    uint8_t b[8];
    int n = words * 2;
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
    for (int w = 0; w < words; w++) {
        int src = (order == CDAB || order == DCBA) ? words - 1 - w : w;
        uint8_t hi = b[2 * src], lo = b[2 * src + 1];
        dest[w] = (order == BADC || order == DCBA) ? (uint16_t)((lo << 8) | hi) : (uint16_t)((hi << 8) | lo);
    }
}

static void put_all_orders(uint16_t *dest, uint64_t value, int words)
{
    for (int o = 0; o < 4; o++)
        put(dest + o * words, value, words, (enum order)o);
}

static void fill(modbus_mapping_t *m)
{
    for (int i = 0; i < BITS; i++) {
        m->tab_bits[i] = (i % 3 == 0);
        m->tab_input_bits[i] = (i % 5 == 1 || i % 7 == 0);
    }
    for (int i = 0; i < REGISTERS; i++) {
        m->tab_registers[i] = (uint16_t)(0x1000 + i);
        m->tab_input_registers[i] = (uint16_t)(0x4000 + 3 * i);
    }

    /* Typed values, each in the four orders ABCD, CDAB, BADC, DCBA one after another. */
    put_all_orders(&m->tab_registers[100], 0xBEEF, 1);                                  /* uint16 */
    put_all_orders(&m->tab_registers[104], (uint16_t)(int16_t)-1234, 1);                /* int16 */
    put_all_orders(&m->tab_registers[110], 3000000000u, 2);                             /* uint32 */
    put_all_orders(&m->tab_registers[120], (uint32_t)(int32_t)-123456789, 2);           /* int32 */
    /* float32 by its IEEE bits. Not through libmodbus's modbus_set_float_* helpers: their order names swap
     * the bytes of each register relative to the naming device manuals use (their "abcd" is our BADC). */
    float f = 123.456f;
    uint32_t fbits;
    memcpy(&fbits, &f, sizeof fbits);
    put_all_orders(&m->tab_registers[130], fbits, 2);
    put_all_orders(&m->tab_registers[140], 0xF1E2D3C4B5A69788ull, 4);                   /* uint64 */
    put_all_orders(&m->tab_registers[160], (uint64_t)(int64_t)-1234567890123456789ll, 4); /* int64 */
    double d = -2.718281828459045;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    put_all_orders(&m->tab_registers[180], bits, 4);                                   /* float64 */

    /* An input-register value as a rain logger keeps it: uint32, least significant word first. */
    put(&m->tab_input_registers[10], 123456u, 2, CDAB);
}

static int busy_request(modbus_t *ctx, const uint8_t *query)
{
    int h = modbus_get_header_length(ctx);
    int function = query[h];
    int address = (query[h + 1] << 8) | query[h + 2];
    return function == 0x03 && address == BUSY_ADDRESS;
}

static void answer(modbus_t *ctx, const uint8_t *query, int length, modbus_mapping_t *map)
{
    if (busy_request(ctx, query))
        modbus_reply_exception(ctx, query, MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY);
    else
        modbus_reply(ctx, query, length, map);
}

static int serve_tcp(int port, int silent)
{
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *map = modbus_mapping_new(BITS, BITS, REGISTERS, REGISTERS);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "modbus_peer: %s\n", modbus_strerror(errno));
        return 1;
    }
    fill(map);
    int server = modbus_tcp_listen(ctx, 32);
    if (server < 0) {
        fprintf(stderr, "modbus_peer: listen: %s\n", modbus_strerror(errno));
        return 1;
    }
    struct sockaddr_in address;
    socklen_t size = sizeof address;
    getsockname(server, (struct sockaddr *)&address, &size);
    printf("PORT %d\n", ntohs(address.sin_port));
    fflush(stdout);

    fd_set all;
    FD_ZERO(&all);
    FD_SET(server, &all);
    int max = server;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        fd_set ready = all;
        if (select(max + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (int fd = 0; fd <= max; fd++) {
            if (!FD_ISSET(fd, &ready))
                continue;
            if (fd == server) {
                int client = accept(server, NULL, NULL);
                if (client >= 0) {
                    FD_SET(client, &all);
                    if (client > max)
                        max = client;
                }
                continue;
            }
            modbus_set_socket(ctx, fd);
            int rc = modbus_receive(ctx, query);
            if (rc > 0) {
                if (silent >= 0 && query[6] == silent)
                    continue;
                answer(ctx, query, rc, map);
            } else if (rc == -1) {
                close(fd);
                FD_CLR(fd, &all);
            }
        }
    }
}

static int serve_rtu(const char *device, int baud, int slave)
{
    modbus_t *ctx = modbus_new_rtu(device, baud, 'N', 8, 1);
    modbus_mapping_t *map = modbus_mapping_new(BITS, BITS, REGISTERS, REGISTERS);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "modbus_peer: %s\n", modbus_strerror(errno));
        return 1;
    }
    fill(map);
    modbus_set_slave(ctx, slave);
    if (modbus_connect(ctx) == -1) {
        fprintf(stderr, "modbus_peer: open %s: %s\n", device, modbus_strerror(errno));
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        int rc = modbus_receive(ctx, query);
        if (rc > 0)
            answer(ctx, query, rc, map);
        else if (rc == 0) {
            /* A request for another slave was ignored. libmodbus then takes the next frame on the line for that
             * slave's answer and drops it; the silent slave of the tests never answers, so that would be the
             * master's next request. Start afresh instead. */
            modbus_close(ctx);
            modbus_free(ctx);
            ctx = modbus_new_rtu(device, baud, 'N', 8, 1);
            modbus_set_slave(ctx, slave);
            if (ctx == NULL || modbus_connect(ctx) == -1)
                return 1;
        } else if (rc == -1 && errno != EMBBADCRC && errno != EMBBADDATA && errno != ETIMEDOUT && errno != EMBBADSLAVE)
            return 1;
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "tcp") == 0) {
        int port = 0, silent = -1;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (strcmp(argv[i], "--port") == 0)
                port = atoi(argv[i + 1]);
            else if (strcmp(argv[i], "--silent") == 0)
                silent = atoi(argv[i + 1]);
        }
        return serve_tcp(port, silent);
    }
    if (argc == 5 && strcmp(argv[1], "rtu") == 0)
        return serve_rtu(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: modbus_peer tcp [--port N] [--silent UNIT] | rtu DEVICE BAUD SLAVE\n");
    return 2;
}
