/*
 * test_batch.c: boards/common/batch.c with a two-input, one-output "model" on host files
 * (tests/boards/common-c.test.ts): output = input 1 (2 bytes) followed by input 0 (3 bytes), each byte + 1.
 * Arguments become the firmware's command line (host_board.c). Prints `sample mode` when batch_main
 * declines (no --batch), `batch done` after a batch. With `--arena` among the arguments the "arena" is
 * the output buffer: a line may end with a path that receives it (as a -DUTVM_DEBUG firmware's arena).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "board.h"

extern const char *host_command_line;

static uint8_t in0[3], in1[2], out[5];
static void *const inputs[2] = { in0, in1 };
static const uint32_t input_bytes[2] = { 3u, 2u };
static const void *const outputs[1] = { out };
static const uint32_t output_bytes[1] = { 5u };
static char *paths[4];

static int run(void)
{
    int i;
    for (i = 0; i < 2; i++) out[i] = (uint8_t)(in1[i] + 1u);
    for (i = 0; i < 3; i++) out[2 + i] = (uint8_t)(in0[i] + 1u);
    return 0;
}

int main(int argc, char **argv)
{
    static char line[4096];
    batch_model model = { 2, 1, inputs, input_bytes, outputs, output_bytes, paths, run, NULL, 0u };
    int i;
    line[0] = '\0';
    for (i = 1; i < argc; i++) {
        if (i > 1) strcat(line, " ");
        strcat(line, argv[i]);
    }
    if (argc > 1) host_command_line = line;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--arena") == 0) {
            model.arena = out;
            model.arena_bytes = sizeof out;
        }
    }
    if (batch_main(&model) != 0) {
        printf("sample mode\n");
        return 0;
    }
    printf("batch done\n");
    return 0;
}
