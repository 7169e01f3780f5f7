/*
 * libmodbus's own client in a loop: sequential FC03 reads of 10 registers over TCP.
 *   modbus_bench_client HOST PORT SECONDS  ->  prints "<transactions> <seconds> <transactions/s>"
 */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: modbus_bench_client HOST PORT SECONDS\n");
        return 2;
    }
    modbus_t *ctx = modbus_new_tcp(argv[1], atoi(argv[2]));
    if (ctx == NULL || modbus_connect(ctx) == -1) {
        fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    uint16_t registers[10];
    for (int i = 0; i < 2000; i++) /* warm-up, as for the .NET client */
        if (modbus_read_registers(ctx, 0, 10, registers) != 10)
            return 1;
    double seconds = atof(argv[3]), start = now(), elapsed;
    long n = 0;
    do {
        for (int i = 0; i < 100; i++, n++) {
            if (modbus_read_registers(ctx, 0, 10, registers) != 10) {
                fprintf(stderr, "read: %s\n", modbus_strerror(errno));
                return 1;
            }
        }
        if (registers[0] != 0x1000 || registers[9] != 0x1009) {
            fprintf(stderr, "read: unexpected values\n");
            return 1;
        }
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("%ld %.3f %.0f\n", n, elapsed, n / elapsed);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
