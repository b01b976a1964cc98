/*
 * The int16 arithmetic of TensorFlow Lite Micro's integer LSTM (utvm/lstm.h), shared by the portable and
 * the DSP kernel: the int16 sigmoid and tanh, the gate and state updates, and the time loop. The kernels
 * differ only in the fully connected layer they pass in (`utvm_lstm_fc_s8`).
 *
 * sigmoid / tanh on int16 (TFLite's reference_integer_ops Logistic and Tanh, int16 form): the input is
 * scaled by 3 (from Q3.12: 3/4 of the way to a table step of 1/24 in Q0.16 units), its magnitude indexes
 * a 256-entry table of sigmoid(k / 24) in 0.16 fixed point with linear interpolation on the low bits (9
 * bits for sigmoid, 8 for tanh, which reads the same table at 2x: tanh(x) = 2 sigmoid(2x) - 1), and the
 * sign folds back by symmetry. The table is TFLite's (its sigmoid_table_uint16), which is not a plain
 * rounding of the function: each entry is raised to suit the interpolation. With F(k) = 65536 sigmoid(k/24)
 * and e(k) = F(k + 1/2) - (F(k) + F(k + 1)) / 2 (the interpolation's error at the midpoint after k),
 * entry k = round(F(k) + (e(k - 1) + e(k)) / 4) for k < 255, and entry 255 = 65535, the uint16 limit;
 * tests/ops/sigmoid-table.test.ts recomputes all 256 from this formula.
 */
#ifndef UTVM_LSTM_CELL_H
#define UTVM_LSTM_CELL_H

#include <string.h>
#include "utvm/lstm.h"
#include "utvm/quant.h"
#include "utvm/dsp.h" /* for utvm_lstm_s8_dsp.c: the generated model names this header for both kernels */

static const uint16_t utvm_lstm_sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535
};

static inline int16_t utvm_lstm_sat16(int32_t v)
{
    return (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
}

/* sigmoid of a Q3.12 value, in Q0.15. */
static inline int16_t utvm_lstm_sigmoid16(int16_t x)
{
    const int32_t v = 3 * (int32_t)x;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 9;
    uint32_t r;
    if (k >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t lo = utvm_lstm_sigmoid_table[k], hi = utvm_lstm_sigmoid_table[k + 1];
        r = (lo << 9) + (a & 0x1FFu) * (hi - lo);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

/* tanh of x * multiplier / 2^shift read as Q3.12 (rounded shift), in Q0.15. */
static inline int16_t utvm_lstm_tanh16(int16_t x, int32_t multiplier, int32_t shift)
{
    const int32_t round = shift > 0 ? (1 << (shift - 1)) : 0;
    const int32_t v = ((int32_t)x * multiplier + round) >> shift;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 8;
    int32_t r;
    if (k >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t lo = utvm_lstm_sigmoid_table[k], hi = utvm_lstm_sigmoid_table[k + 1];
        r = (int32_t)((lo << 8) + (a & 0xFFu) * (hi - lo));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(r >> 8);
}

/*
 * One fully connected layer into int16: out[m * n + j] = sat16(requantize(bias[j] + w[j] . x[m], multiplier,
 * shift)) for m < rows, j < n; x is int8 [rows, depth], bias int32 [n], w one gate's weights in the
 * kernel's layout (int8 [n, depth] for the portable kernel, packed words for the DSP one).
 */
typedef void (*utvm_lstm_fc_s8)(const int8_t *x, int32_t rows, int32_t depth, const void *w, const int32_t *bias,
                                int32_t n, int32_t multiplier, int32_t shift, int16_t *out);

/* The weights of one kind (input or recurrent): the four gates `stride` bytes apart. */
typedef struct {
    const uint8_t *base;
    size_t stride;
} utvm_lstm_gates;

typedef struct {
    const utvm_lstm_params_s8 *p;
    utvm_lstm_gates input_weights;
    const int32_t *input_bias;
    utvm_lstm_gates recurrent_weights;
    const int32_t *recurrent_bias;
    utvm_lstm_fc_s8 fc;
    int32_t rows;
} utvm_lstm_s8_ctx;

/* Gate g (0 forget, 1 input, 2 cell, 3 output) of one step into out; tmp is clobbered. */
static inline void utvm_lstm_gate_s8(const utvm_lstm_s8_ctx *c, int32_t g, const int8_t *x, const int8_t *h,
                                     int16_t *out, int16_t *tmp)
{
    const utvm_lstm_params_s8 *p = c->p;
    const int32_t s = p->state_size, n = c->rows * s;
    c->fc(x, c->rows, p->input_size, c->input_weights.base + (size_t)g * c->input_weights.stride,
          c->input_bias + g * s, s, p->input_multiplier[g], p->input_shift[g], out);
    c->fc(h, c->rows, s, c->recurrent_weights.base + (size_t)g * c->recurrent_weights.stride, c->recurrent_bias + g * s, s,
          p->recurrent_multiplier[g], p->recurrent_shift[g], tmp);
    for (int32_t k = 0; k < n; k++) {
        const int16_t v = utvm_lstm_sat16((int32_t)out[k] + (int32_t)tmp[k]);
        out[k] = g == 2 ? utvm_lstm_tanh16(v, 3, 0) : utvm_lstm_sigmoid16(v);
    }
}

/* One time step on the state rows h, cl (rows * S) with the step's input x; writes y. */
static inline void utvm_lstm_step_s8(const utvm_lstm_s8_ctx *c, const int8_t *x, int8_t *h, int16_t *cl, int8_t *y,
                                     int16_t *buf)
{
    const utvm_lstm_params_s8 *p = c->p;
    const int32_t n = c->rows * p->state_size;
    int16_t *forget = buf, *input = buf + n, *cellg = buf + 2 * n, *tmp = buf + 3 * n;
    utvm_lstm_gate_s8(c, 0, x, h, forget, tmp);
    utvm_lstm_gate_s8(c, 1, x, h, input, tmp);
    utvm_lstm_gate_s8(c, 2, x, h, cellg, tmp);
    for (int32_t k = 0; k < n; k++) {
        const int16_t kept = utvm_lstm_sat16(utvm_requantize((int32_t)forget[k] * cl[k], p->forget_multiplier, p->forget_shift));
        const int16_t added = utvm_lstm_sat16(utvm_requantize((int32_t)input[k] * cellg[k], p->input_gate_multiplier, p->input_gate_shift));
        int16_t v = utvm_lstm_sat16((int32_t)kept + (int32_t)added);
        if (p->cell_clip >= 0) v = (int16_t)(v > p->cell_clip ? p->cell_clip : (v < -p->cell_clip ? -p->cell_clip : v));
        cl[k] = v;
    }
    utvm_lstm_gate_s8(c, 3, x, h, input, tmp);
    for (int32_t k = 0; k < n; k++) {
        const int16_t t = utvm_lstm_tanh16(cl[k], p->cell_tanh_multiplier, p->cell_tanh_shift);
        const int32_t v = utvm_requantize((int32_t)t * input[k], p->hidden_multiplier, p->hidden_shift) + p->hidden_zero_point;
        h[k] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
    memcpy(y, h, (size_t)n);
}

/* The whole sequence (utvm_lstm_s8's contract) with the fully connected layer fc and its weight layout. */
static inline void utvm_lstm_run_s8(const utvm_lstm_params_s8 *p, const int8_t *input, utvm_lstm_gates input_weights,
                                    const int32_t *input_bias, utvm_lstm_gates recurrent_weights,
                                    const int32_t *recurrent_bias, int8_t *hidden, int16_t *cell, int8_t *output,
                                    void *scratch, utvm_lstm_fc_s8 fc)
{
    const int32_t b = p->batches, t = p->time_steps, i = p->input_size, s = p->state_size;
    utvm_lstm_s8_ctx c;
    c.p = p;
    c.input_weights = input_weights;
    c.input_bias = input_bias;
    c.recurrent_weights = recurrent_weights;
    c.recurrent_bias = recurrent_bias;
    c.fc = fc;
    c.rows = p->time_major ? b : 1;
    if (p->time_major) {
        for (int32_t k = 0; k < t; k++) {
            utvm_lstm_step_s8(&c, input + (size_t)k * b * i, hidden, cell, output + (size_t)k * b * s, (int16_t *)scratch);
        }
        return;
    }
    for (int32_t m = 0; m < b; m++) {
        for (int32_t k = 0; k < t; k++) {
            const size_t row = (size_t)m * t + k;
            utvm_lstm_step_s8(&c, input + row * i, hidden + (size_t)m * s, cell + (size_t)m * s, output + row * s, (int16_t *)scratch);
        }
    }
}

#endif /* UTVM_LSTM_CELL_H */
