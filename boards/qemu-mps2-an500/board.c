/*
 * qemu-mps2-an500: the board API (board.h) on QEMU's emulated Cortex-M7.
 *
 * Console and files: Arm semihosting. The program executes `BKPT 0xAB` with the operation number in r0
 * and a pointer to its argument block in r1; QEMU (-semihosting-config enable=on,target=native) performs
 * the call on the host and returns the result in r0. Operations from "Semihosting for AArch32 and
 * AArch64" (Arm, version 3.0), section 6.
 *
 * Cost: CMSDK APB timer 0 (Arm CoreLink CMSDK technical reference manual, section 4.4: CTRL +0x00,
 * VALUE +0x04, RELOAD +0x08), clocked at 25 MHz on the MPS2. It counts down from RELOAD; we load
 * 0xFFFFFFFF and report the ticks elapsed. Under -icount shift=0 QEMU advances its virtual clock by 1 ns
 * per instruction, so one tick is 40 instructions.
 *
 * Host-driven builds (-DUTVM_HOST_DRIVEN=1, `export --host-driven`) make no semihosting call at all: the
 * emulator runs without semihosting under a debugger, where BKPT 0xAB would fault. The console is then
 * silent, files and the command line are unavailable, and board_exit() waits in a loop.
 */
#include "board.h"

#include <string.h>

#define SYS_OPEN 0x01u
#define SYS_CLOSE 0x02u
#define SYS_WRITE 0x05u
#define SYS_READ 0x06u
#define SYS_FLEN 0x0Cu
#define SYS_GET_CMDLINE 0x15u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* SYS_OPEN modes (the ISO C fopen modes, in order): 1 = "rb", 4 = "w" (":tt" is the console), 5 = "wb". */
#define OPEN_RB 1u
#define OPEN_W 4u
#define OPEN_WB 5u

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER_CTRL_ENABLE 0x1u

const uint32_t board_cycle_scale = 40u;
const char board_cycle_unit[] = "instructions";

static int console_handle = -1;

#if defined(UTVM_HOST_DRIVEN) && UTVM_HOST_DRIVEN
#define HOST_FILES 0
#else
#define HOST_FILES 1
#endif

static int semihost(uint32_t op, const void *args)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int)r0;
}

static int open_file(const char *path, uint32_t mode)
{
    uint32_t args[3];
    args[0] = (uint32_t)path;
    args[1] = mode;
    args[2] = (uint32_t)strlen(path);
    return semihost(SYS_OPEN, args);
}

static void close_file(int handle)
{
    uint32_t args[1];
    args[0] = (uint32_t)handle;
    (void)semihost(SYS_CLOSE, args);
}

/* Returns the number of bytes NOT written (0 on success), as the semihosting call does. */
static int write_handle(int handle, const void *src, size_t n)
{
    uint32_t args[3];
    args[0] = (uint32_t)handle;
    args[1] = (uint32_t)src;
    args[2] = (uint32_t)n;
    return semihost(SYS_WRITE, args);
}

void board_init(void)
{
    TIMER0_CTRL = 0u;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = TIMER_CTRL_ENABLE;
#if !(defined(UTVM_HOST_DRIVEN) && UTVM_HOST_DRIVEN)
    console_handle = open_file(":tt", OPEN_W);
#endif
}

void board_write(const char *text, size_t n)
{
#if defined(UTVM_HOST_DRIVEN) && UTVM_HOST_DRIVEN
    (void)text;
    (void)n;
    return;
#endif
    if (console_handle < 0) console_handle = open_file(":tt", OPEN_W);
    if (console_handle >= 0 && n > 0) (void)write_handle(console_handle, text, n);
}

uint32_t board_cycles(void)
{
    return 0xFFFFFFFFu - TIMER0_VALUE;
}

/*
 * The timer ticks every 40 instructions. First wait for a tick (a 3-instruction loop: we are then 0-2
 * instructions past it), then a vernier: a loop of exactly 41 instructions between its timer reads, so each
 * read lands one instruction later in the tick period than the one before; the first read that sees one
 * tick more than the loop count is the first instruction of a tick. Every exit is therefore at the same
 * phase, and the code that follows runs at the same place in the counter's period in every firmware.
 * Under -icount QEMU computes an I/O read's timer value at that very instruction, and counts NOP as one.
 */
void board_cycles_align(void)
{
    __asm__ volatile(
        "    ldr   r1, [%0]\n"
        "1:  ldr   r2, [%0]\n"
        "    cmp   r2, r1\n"
        "    beq   1b\n"
        "    mov   r1, r2\n"
        "    movs  r3, #0\n"
        "2:  adds  r3, r3, #1\n"
        "    .rept 35\n"
        "    nop\n"
        "    .endr\n"
        "    ldr   r2, [%0]\n"
        "    subs  r2, r1, r2\n"
        "    cmp   r2, r3\n"
        "    bhi   3f\n"
        "    b     2b\n"
        "3:\n"
        :
        : "r"(&TIMER0_VALUE)
        : "r1", "r2", "r3", "cc", "memory");
}

/*
 * Reads the whole file into dst. Fails (-1) when it cannot be opened or is larger than `bytes`; a shorter
 * file is read and the rest of dst is zero-filled (so a text file read into a larger buffer ends in NUL).
 */
int board_read_file(const char *path, void *dst, size_t bytes)
{
    uint32_t args[3];
    int handle = HOST_FILES ? open_file(path, OPEN_RB) : -1;
    int length;
    if (handle < 0) return -1;
    args[0] = (uint32_t)handle;
    length = semihost(SYS_FLEN, args);
    if (length < 0 || (size_t)length > bytes) {
        close_file(handle);
        return -1;
    }
    args[1] = (uint32_t)dst;
    args[2] = (uint32_t)length;
    if (length > 0 && semihost(SYS_READ, args) != 0) {
        close_file(handle);
        return -1;
    }
    close_file(handle);
    memset((uint8_t *)dst + length, 0, bytes - (size_t)length);
    return 0;
}

int board_write_file(const char *path, const void *src, size_t bytes)
{
    int handle = HOST_FILES ? open_file(path, OPEN_WB) : -1;
    int left;
    if (handle < 0) return -1;
    left = bytes > 0 ? write_handle(handle, src, bytes) : 0;
    close_file(handle);
    return left == 0 ? 0 : -1;
}

int board_command_line(char *buf, size_t size)
{
    uint32_t args[2];
    if (!HOST_FILES || buf == NULL || size < 2) return -1;
    args[0] = (uint32_t)buf;
    args[1] = (uint32_t)(size - 1);
    if (semihost(SYS_GET_CMDLINE, args) != 0) return -1;
    buf[args[1] < size ? args[1] : size - 1] = '\0';
    return 0;
}

void board_exit(int code)
{
    uint32_t args[2];
#if defined(UTVM_HOST_DRIVEN) && UTVM_HOST_DRIVEN
    (void)args;
    (void)code;
    for (;;) {
    }
#endif
    args[0] = ADP_STOPPED_APPLICATION_EXIT;
    args[1] = (uint32_t)code;
    for (;;) (void)semihost(SYS_EXIT_EXTENDED, args);
}
