/*
 * A keyword-spotting application with the MLPerf Tiny kws model (int8) built as a CMake library target.
 *
 *   app FEATURES.bin [SCORES.bin]
 * reads 490 int8 MFCC features (49 frames x 10), runs the model in an arena this application owns
 * (kws is built with KWS_NO_STATIC_ARENA: the library has no writable global), prints the keyword
 * heard and what the device does about it, and writes the raw int8 scores when asked.
 * The same code runs on the host and on the Cortex-M7 (samples/common/platform_host.c / platform_m7.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "kws.h"

#if defined(__arm__)
#define ARENA_PLACE __attribute__((section(".arena"))) /* the board's linker script puts .arena in its RAM of choice */
#else
#define ARENA_PLACE
#endif

/* The model's working memory: the application owns it, with the size and alignment kws.h asks for. */
static uint8_t arena[KWS_ARENA_SIZE] __attribute__((aligned(KWS_ARENA_ALIGN))) ARENA_PLACE;

static const char *const keywords[12] = { "down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "(silence)", "(unknown)" };
static const char *const actions[12] = {
    "volume down", "start", "turn left", "cancel", "light off", "light on",
    "turn right", "stop the motor", "volume up", "confirm", "keep listening", "keep listening",
};

static void put_str(const char *s)
{
    board_write(s, strlen(s));
}

static void put_int(int32_t v)
{
    char buf[12];
    int i = (int)sizeof buf;
    uint32_t u = v < 0 ? (uint32_t)(-(int64_t)v) : (uint32_t)v;
    do {
        buf[--i] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0u);
    if (v < 0) buf[--i] = '-';
    board_write(buf + i, sizeof buf - (size_t)i);
}

static int fail(const char *what, int status)
{
    put_str("error: ");
    put_str(what);
    put_str(" (status ");
    put_int(status);
    put_str(")\n");
    return 1;
}

int app_main(int argc, char **argv)
{
    const utvm_tensor_desc *out = &kws_outputs[0];
    const int8_t *scores;
    int32_t i, best = 0, percent;
    utvm_status status = kws_check_arena(arena, sizeof arena);
    if (status != UTVM_OK) return fail("the arena does not suit the model", (int)status);
    if (argc < 2 || argc > 3) return fail("usage: app FEATURES.bin [SCORES.bin]", 2);
    /* Write the features straight into the model's input buffer: no copy. */
    if (board_read_file(argv[1], kws_arena_input(arena, 0), KWS_INPUT_0_BYTES) != 0) return fail("cannot read the features", 1);
    status = kws_run_with_arena(arena, sizeof arena);
    if (status != UTVM_OK) return fail("the model did not run", (int)status);
    scores = (const int8_t *)kws_arena_output(arena, 0);
    for (i = 1; i < 12; i++) {
        if (scores[i] > scores[best]) best = i;
    }
    /* real = scale * (q - zero_point): the output descriptor says how to read the int8 scores. */
    percent = (int32_t)(out->scale * (float)(scores[best] - out->zero_point) * 100.0f + 0.5f);
    put_str("keyword: ");
    put_str(keywords[best]);
    put_str(" (class ");
    put_int(best);
    put_str(", score ");
    put_int(percent);
    put_str("%)\naction: ");
    put_str(actions[best]);
    put_str("\n");
    if (argc == 3 && board_write_file(argv[2], scores, KWS_OUTPUT_0_BYTES) != 0) return fail("cannot write the scores", 1);
    return 0;
}
