/* Runs a command under the seccomp filter systemd installs for MemoryDenyWriteExecute=yes (systemd 252,
 * seccomp_memory_deny_write_execute in src/shared/seccomp-util.c): mmap asking for pages both writable and
 * executable, mprotect/pkey_mprotect asking for PROT_EXEC, and shmat with SHM_EXEC fail with EPERM. For the
 * tests, which have no systemd to start the unit (tests/EdgeGateway.Tests/Packaging/MemoryDenyWriteExecuteTests.cs).
 *   mdwe_exec COMMAND [ARG...]
 *   mdwe_exec --check        exits 0 when the filter refuses a writable+executable mmap and an mprotect to exec */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + (n) * 8)
#define DENY BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: mdwe_exec COMMAND [ARG...]\n"); return 2; }
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
        ALLOW,
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 5),
        /* mmap: prot & (WRITE|EXEC) == WRITE|EXEC */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 0, 1),
        DENY,
        ALLOW,
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 0, 3),
        /* mprotect, pkey_mprotect: prot & EXEC */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
        DENY,
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 0, 3),
        /* shmat: shmflg & SHM_EXEC */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SHM_EXEC, 0, 1),
        DENY,
        ALLOW,
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
        perror("mdwe_exec: seccomp");
        return 125;
    }
    if (strcmp(argv[1], "--check") == 0) {
        void *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int wx_refused = wx == MAP_FAILED && errno == EPERM;
        void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int x_refused = w != MAP_FAILED && mprotect(w, 4096, PROT_READ | PROT_EXEC) != 0 && errno == EPERM;
        printf("mmap write+exec: %s; mprotect to exec: %s\n", wx_refused ? "refused" : "allowed", x_refused ? "refused" : "allowed");
        return wx_refused && x_refused ? 0 : 1;
    }
    execvp(argv[1], argv + 1);
    perror("mdwe_exec: exec");
    return 126;
}
