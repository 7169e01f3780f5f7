/*
 * The floor for the station footprint: libmodbus polling the bench station's ten float32 registers every
 * second, nothing else (no rules, no storage, no uplink). Tells systemd-style READY=1 on NOTIFY_SOCKET once
 * connected, so scripts/bench/station_probe.py measures it as it measures `edgegw run`.
 *   station_floor PORT [ignored...]   (runs until killed)
 */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void notify_ready(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL) {
        return;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&address, sizeof address);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: station_floor PORT\n");
        return 2;
    }
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    if (ctx == NULL || modbus_connect(ctx) == -1) {
        fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    notify_ready();
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    volatile float sum = 0;
    for (;;) {
        for (int i = 0; i < 10; i++) {
            uint16_t registers[2];
            if (modbus_read_registers(ctx, i * 2, 2, registers) == 2) {
                sum += modbus_get_float_abcd(registers);
            }
        }
        next.tv_sec += 1;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}
