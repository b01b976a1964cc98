/*
 * timing.c: see timing.h.
 */
#include "timing.h"

#include "board.h"

volatile uint32_t timing_layer_stop;

static uint32_t *layer_ticks;
static int32_t layer_count;
static uint32_t layer_start;

void timing_layers(uint32_t *ticks, int32_t count)
{
    layer_ticks = ticks;
    layer_count = count;
}

__attribute__((noinline)) void timing_layer_done(int32_t index)
{
    __asm__ volatile("" : : "r"(index) : "memory");
}

void utvm_profile_begin(int32_t index);
void utvm_profile_end(int32_t index);

void utvm_profile_begin(int32_t index)
{
    (void)index;
    layer_start = board_cycles();
}

void utvm_profile_end(int32_t index)
{
    if (index >= 0 && index < layer_count) layer_ticks[index] += board_cycles() - layer_start;
    if (timing_layer_stop != 0u) timing_layer_done(index);
}

__attribute__((noinline)) uint32_t timing_run(int (*run)(void), int *status)
{
    uint32_t start;
    board_cycles_align();
    start = board_cycles();
    *status = run();
    return board_cycles() - start;
}
