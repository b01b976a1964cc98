/*
 * timing.h: the timed run and the per-layer cost hooks every firmware main.c uses (the sample mode of
 * templates/project/firmware/main.c.hbs and the host-driven mode of host_main.c.hbs), so both execute the
 * very same instructions around the model: a count measured over the debug link equals the sample mode's.
 */
#ifndef TIMING_H
#define TIMING_H

#include <stdint.h>

/*
 * Runs `run` once and returns the counter ticks it took (board_cycles). It first aligns to the counter
 * (board_cycles_align), so the count starts at the same phase of a coarse counter (QEMU's timer ticks every
 * 40 instructions) and is the same number in every firmware that runs the same model code.
 * `*status` receives run's result.
 */
uint32_t timing_run(int (*run)(void), int *status);

/* Per-layer ticks: -DUTVM_PROFILE=1 builds add each layer's ticks to ticks[index] (count entries). */
void timing_layers(uint32_t *ticks, int32_t count);

/* Nonzero: after each layer (profiled builds) the firmware calls timing_layer_done(index). */
extern volatile uint32_t timing_layer_stop;

/* Does nothing: the place a debugger stops after each layer (a breakpoint; r0 holds the layer index). */
void timing_layer_done(int32_t index);

#endif /* TIMING_H */
