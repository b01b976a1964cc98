/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM: TensorFlow Lite Micro's LSTM kernel (the standard LSTM cell: no peephole,
 * no projection, no layer normalisation, the cell gate activation tanh), int8 and float32.
 *
 * Per time step, for each gate g in the order forget, input, cell, output (the order TFLite Micro computes
 * them, which the results do not depend on):
 *   gate_g = act_g(W_g x_t + b_g + R_g h)          act: sigmoid; tanh for the cell gate
 *   c      = clip(forget * c + input * cell_gate)  (clip only when the model's cell_clip > 0)
 *   h      = output_gate * tanh(c);   y_t = h
 * The hidden state h and the cell state c are the model's variable tensors: they live in the arena, keep
 * their values from one run to the next, and are reset by the model's <name>_reset().
 *
 * int8 (TFLite Micro's integer LSTM, lstm_eval.cc at the commit of ../shared/tools/tflm): x, h, y int8,
 * weights int8 (per-tensor, zero point 0), biases int32, c and the gates int16.
 *   - each gate is two fully connected layers into int16 at scale 2^-12 (Q3.12): the input one with the
 *     bias, the recurrent one without; each is requantized and saturated to int16 on its own, then the two
 *     are added with int16 saturation;
 *   - sigmoid and tanh on int16 are TFLite's table-interpolated integer_ops Logistic / Tanh (utvm_lstm_cell.h);
 *     the gates come out at scale 2^-15;
 *   - forget * c and input * cell_gate are requantized products into c's scale (saturated to int16), added
 *     with saturation, clipped to +-cell_clip (quantized); tanh(c) reads c at its power-of-two scale;
 *   - h = requantize(tanh(c) * output_gate) + h's zero point, saturated to int8.
 * The compiler folds the input offsets into the biases (bias' = bias - zero_point * row sum of the
 * weights: the same int32 sums, reordered) and packs the four gates' weights one after the other.
 *
 * Layouts: input [B, T, I] (or [T, B, I] when time_major), output likewise with S for I; hidden and cell
 * [B, S]. Not time major, TFLite Micro runs the batches one after the other (each with its own state
 * row); time major, all batches step together. The kernel does the same.
 */
#ifndef UTVM_LSTM_H
#define UTVM_LSTM_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* B, T, I, S. Range: >= 1. */
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t state_size;
    /* 1: input [T, B, I], all batches in one step; 0: input [B, T, I], batch after batch. */
    int32_t time_major;
    /* Zero point of h (and of the output, which receives h's bytes). Range: [-128, 127]. */
    int32_t hidden_zero_point;
    /* Per gate (forget, input, cell, output): requantization of W x + b and of R h into Q3.12.
       multiplier: [2^30, 2^31) or 0; shift: [-31, 30], positive = left shift. */
    int32_t input_multiplier[4];
    int32_t input_shift[4];
    int32_t recurrent_multiplier[4];
    int32_t recurrent_shift[4];
    /* forget (2^-15) * c -> c; input (2^-15) * cell gate (2^-15) -> c; tanh(c) (2^-15) * output gate -> h. */
    int32_t forget_multiplier;
    int32_t forget_shift;
    int32_t input_gate_multiplier;
    int32_t input_gate_shift;
    int32_t hidden_multiplier;
    int32_t hidden_shift;
    /* The cell clip in c's scale (c is clamped to [-cell_clip, cell_clip]), -1 for none. Range: -1 or [0, 32767]. */
    int32_t cell_clip;
    /* tanh(c): c * cell_tanh_multiplier, rounded right shift by cell_tanh_shift, then TFLite's int16 tanh
       (TFLite Micro's Tanh with input_multiplier / input_left_shift from c's scale 2^p: 12 + p >= 0 gives
       multiplier 3 << (12 + p) and shift 0, else multiplier 3 and shift -(12 + p)). */
    int32_t cell_tanh_multiplier;
    int32_t cell_tanh_shift;
} utvm_lstm_params_s8;

/*
 * input:             int8 [B, T, I] ([T, B, I] when time_major).
 * input_weights:     int8 [4, S, I]: the forget, input, cell and output gates' input weights.
 * input_bias:        int32 [4, S]: each gate's bias with the input offset folded in (see above).
 * recurrent_weights: int8 [4, S, S].
 * recurrent_bias:    int32 [4, S]: -hidden_zero_point * each recurrent weight row's sum.
 * hidden:            int8 [B, S], the hidden state, read and updated.
 * cell:              int16 [B, S], the cell state, read and updated.
 * output:            int8 [B, T, S] ([T, B, S]); must not overlap the other tensors.
 * scratch:           utvm_lstm_s8_scratch_bytes(p) bytes, 2-byte aligned.
 */
void utvm_lstm_s8(const utvm_lstm_params_s8 *p, const int8_t *input, const int8_t *input_weights,
                  const int32_t *input_bias, const int8_t *recurrent_weights, const int32_t *recurrent_bias,
                  int8_t *hidden, int16_t *cell, int8_t *output, void *scratch);

/*
 * The same on cores with the DSP extension, bit-exact with utvm_lstm_s8: the gates' dot products with
 * SMLAD over weights packed at compile time. input_weights and recurrent_weights: per gate (forget, input,
 * cell, output, each utvm_lstm_s8_dsp_weight_words(S, depth) words), the rows in blocks of four, each
 * block ceil(depth / 4) steps of four words (one per row: its next four weights, little-endian), rows and
 * depth padded with zero weights (src/lower/dsp-layout.ts packRowsS8, group 4). Biases as utvm_lstm_s8.
 */
void utvm_lstm_s8_dsp(const utvm_lstm_params_s8 *p, const int8_t *input, const int32_t *input_weights,
                      const int32_t *input_bias, const int32_t *recurrent_weights, const int32_t *recurrent_bias,
                      int8_t *hidden, int16_t *cell, int8_t *output, void *scratch);

/* int32 words of one gate's packed weights for utvm_lstm_s8_dsp: rows and depth rounded up to 4. */
static inline size_t utvm_lstm_s8_dsp_weight_words(int32_t rows, int32_t depth)
{
    return (size_t)((rows + 3) / 4) * (size_t)((depth + 3) / 4) * 4u;
}

/* Scratch of utvm_lstm_s8(_dsp): four int16 vectors of one step's state, (time_major ? B : 1) * S each. */
static inline size_t utvm_lstm_s8_scratch_bytes(const utvm_lstm_params_s8 *p)
{
    return (size_t)4 * (size_t)(p->time_major ? p->batches : 1) * (size_t)p->state_size * sizeof(int16_t);
}

typedef struct {
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t state_size;
    int32_t time_major;
    /* Clip of the cell state to [-cell_clip, cell_clip]; 0 for none. */
    float cell_clip;
} utvm_lstm_params_f32;

/*
 * float32: the same layouts (input_bias [4, S]; no recurrent bias). Sigmoid is TFLite's reference
 * (1 above 16.619047, exp(x) below -9, else 1 / (1 + exp(-x))), tanh is tanhf.
 * scratch: utvm_lstm_f32_scratch_bytes(p) bytes, 4-byte aligned.
 */
void utvm_lstm_f32(const utvm_lstm_params_f32 *p, const float *input, const float *input_weights,
                   const float *input_bias, const float *recurrent_weights, float *hidden, float *cell,
                   float *output, void *scratch);

static inline size_t utvm_lstm_f32_scratch_bytes(const utvm_lstm_params_f32 *p)
{
    return (size_t)4 * (size_t)(p->time_major ? p->batches : 1) * (size_t)p->state_size * sizeof(float);
}

#ifdef __cplusplus
}
#endif

#endif /* UTVM_LSTM_H */
