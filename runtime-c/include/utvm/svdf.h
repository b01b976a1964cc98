/*
 * SVDF (TensorFlow Lite's SVDF builtin): a rank-reduced fully connected layer over a window of the last
 * `memory` inputs, as TFLite Micro computes it.
 *
 * Shapes: input [batch, input_size]; feature weights [filters, input_size]; time weights [filters,
 * memory]; bias [units] (units = filters / rank) or NULL; state [batch, filters * memory], filter f's
 * window at f * memory, the newest value last; output [batch, units]. Every call:
 *   1. shifts the whole state left by one element (state[i] = state[i + 1]);
 *   2. writes each filter's newest value: the dot product of the input row with the filter's feature
 *      weights (int8: rescaled to the state's quantization, clamped to the state type, plus the state
 *      zero point, stored in the state type);
 *   3. out[b][u] = bias[u] + the sum over the unit's `rank` filters of the dot product of the filter's
 *      window with its time weights (int8: minus the state zero point, then rescaled to the output,
 *      plus its zero point, clamped to int8; float32: then the fused activation as a clamp).
 * The int8 kernels apply no fused activation, as TFLite Micro's integer reference kernel does not.
 *
 * Variants: utvm_svdf_s8 (int8 time weights and state), utvm_svdf_s8_s16 (int16 time weights and
 * state), their *_dsp twins for cores with the DSP extension (SMLAD dot products; the constant parts of
 * the dot products, input offset and state zero point times the weights' row sums, folded at compile
 * time: the same integers, so the same bits), and utvm_svdf_f32. The state is the caller's: the model
 * keeps it in the arena across runs (a variable tensor) and resets it. The output must not overlap the
 * input or the state.
 */
#ifndef UTVM_SVDF_H
#define UTVM_SVDF_H

#include "utvm/quant.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Rows of the input, the state and the output. Range: >= 1. */
    int32_t batch;
    /* Elements of an input row. Range: >= 1. */
    int32_t input_size;
    /* Feature filters (units * rank). Range: >= 1. */
    int32_t filters;
    /* Values each filter remembers. Range: >= 1. */
    int32_t memory;
    /* Filters summed into one output unit. Range: >= 1, divides filters. */
    int32_t rank;
    /* Minus the input zero point. Range: [-127, 128]. */
    int32_t input_offset;
    /* Fixed-point multiplier and shift of input_scale * feature_scale / state_scale. */
    int32_t feature_multiplier;
    int32_t feature_shift;
    /* Zero point of the state. Range: that of the state type. */
    int32_t state_zero_point;
    /* Fixed-point multiplier and shift of state_scale * time_scale / output_scale. */
    int32_t output_multiplier;
    int32_t output_shift;
    /* Zero point of the output. Range: [-128, 127]. */
    int32_t output_offset;
} utvm_svdf_params_s8;

/* Portable kernels. bias: int32 [units] or NULL. */
void utvm_svdf_s8(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights, const int8_t *time_weights,
                  const int32_t *bias, int8_t *state, int8_t *out);
void utvm_svdf_s8_s16(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights,
                      const int16_t *time_weights, const int32_t *bias, int16_t *state, int8_t *out);

/*
 * DSP kernels: the same results. sums: int32 [2 * filters], for filter f
 *   sums[f]           = input_offset * (sum of feature_weights row f)
 *   sums[filters + f] = -state_zero_point * (sum of time_weights row f)
 * (wrapping modulo 2^32 as the accumulators do).
 */
void utvm_svdf_s8_dsp(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights,
                      const int8_t *time_weights, const int32_t *bias, const int32_t *sums, int8_t *state, int8_t *out);
void utvm_svdf_s8_s16_dsp(const utvm_svdf_params_s8 *p, const int8_t *in, const int8_t *feature_weights,
                          const int16_t *time_weights, const int32_t *bias, const int32_t *sums, int16_t *state,
                          int8_t *out);

typedef struct {
    int32_t batch;
    int32_t input_size;
    int32_t filters;
    int32_t memory;
    int32_t rank;
    /* The fused activation as a clamp of the output (-INFINITY / INFINITY for none). */
    float act_min;
    float act_max;
} utvm_svdf_params_f32;

/* float32; bias: [units] or NULL. Sums in TFLite Micro's order, so the same floats. */
void utvm_svdf_f32(const utvm_svdf_params_f32 *p, const float *in, const float *feature_weights, const float *time_weights,
                   const float *bias, float *state, float *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_SVDF_H */
