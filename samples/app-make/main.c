/*
 * An image-classification application with the CIFAR-10 sample model (float32), built by a plain Makefile
 * that includes the exported cifar10.mk.
 *
 *   app IMAGE.bin [SCORES.bin]
 * reads a 3x32x32 float32 image (NCHW) straight into the model's input buffer, runs the model in its
 * built-in static arena, prints the class and what the device does about it, and writes the 10 raw float32
 * scores when asked. The same code runs on the host and on the Cortex-M7 (samples/common/platform_host.c / platform_m7.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "cifar10.h"

static const char *const classes[10] = { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

static void put_str(const char *s)
{
    board_write(s, strlen(s));
}

static void put_uint(uint32_t v)
{
    char buf[10];
    int i = (int)sizeof buf;
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    board_write(buf + i, sizeof buf - (size_t)i);
}

static int fail(const char *what)
{
    put_str("error: ");
    put_str(what);
    put_str("\n");
    return 1;
}

int app_main(int argc, char **argv)
{
    const float *scores;
    uint32_t i, best = 0;
    if (argc < 2 || argc > 3) return fail("usage: app IMAGE.bin [SCORES.bin]");
    if (cifar10_init() != UTVM_OK) return fail("the model did not initialise");
    if (board_read_file(argv[1], cifar10_input(0), CIFAR10_INPUT_0_BYTES) != 0) return fail("cannot read the image");
    if (cifar10_run() != UTVM_OK) return fail("the model did not run");
    scores = (const float *)cifar10_output(0);
    for (i = 1; i < 10; i++) {
        if (scores[i] > scores[best]) best = i;
    }
    put_str("class: ");
    put_str(classes[best]);
    put_str(" (");
    put_uint((uint32_t)(scores[best] * 100.0f + 0.5f));
    put_str("%)\naction: ");
    put_str(best == 0 || best == 1 || best == 8 || best == 9 ? "vehicle: open the gate" : "animal: keep the gate closed");
    put_str("\n");
    if (argc == 3 && board_write_file(argv[2], scores, CIFAR10_OUTPUT_0_BYTES) != 0) return fail("cannot write the scores");
    return 0;
}
