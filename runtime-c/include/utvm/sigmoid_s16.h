/*
 * int16 sigmoid and tanh as TensorFlow Lite's reference_integer_ops Logistic and Tanh (int16 form) compute
 * them, for the int16 LOGISTIC / TANH kernels (declared below) and the integer LSTM (utvm/lstm_cell.h).
 *
 * The input is brought to TFLite's table scale, v = (x * multiplier + 2^(shift-1)) >> shift, in which
 * 3 * 2^12 stands for 1 (a power-of-two Q3.12 input: multiplier 3, shift 0); |v| indexes a 256-entry table
 * of sigmoid(k / 24) in 0.16 fixed point with linear interpolation on the low bits (9 bits for sigmoid,
 * 8 for tanh, which reads the same table at 2x: tanh(x) = 2 sigmoid(2x) - 1), and the sign folds back by
 * symmetry. Output Q0.15. The table is TFLite's (its sigmoid_table_uint16), which is not a plain
 * rounding of the function: each entry is raised to suit the interpolation. With F(k) = 65536 sigmoid(k/24)
 * and e(k) = F(k + 1/2) - (F(k) + F(k + 1)) / 2 (the interpolation's error at the midpoint after k),
 * entry k = round(F(k) + (e(k - 1) + e(k)) / 4) for k < 255, and entry 255 = 65535, the uint16 limit;
 * tests/ops/sigmoid-table.test.ts recomputes all 256 from this formula.
 * multiplier: [1, 32767]; shift: [0, 31].
 */
#ifndef UTVM_SIGMOID_S16_H
#define UTVM_SIGMOID_S16_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static const uint16_t utvm_sigmoid_table_u16[256] = {
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

/* sigmoid of x * multiplier / 2^shift (rounded shift) read in the table scale, in Q0.15. */
static inline int16_t utvm_sigmoid16(int16_t x, int32_t multiplier, int32_t shift)
{
    const int32_t round = shift > 0 ? (1 << (shift - 1)) : 0;
    const int32_t v = ((int32_t)x * multiplier + round) >> shift;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 9;
    uint32_t r;
    if (k >= 255u) {
        r = 0x7FFFu << 10;
    } else {
        const uint32_t lo = utvm_sigmoid_table_u16[k], hi = utvm_sigmoid_table_u16[k + 1];
        r = (lo << 9) + (a & 0x1FFu) * (hi - lo);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    return (int16_t)(r >> 10);
}

/* tanh of x * multiplier / 2^shift (rounded shift) read in the table scale, in Q0.15. */
static inline int16_t utvm_tanh16(int16_t x, int32_t multiplier, int32_t shift)
{
    const int32_t round = shift > 0 ? (1 << (shift - 1)) : 0;
    const int32_t v = ((int32_t)x * multiplier + round) >> shift;
    const uint32_t a = (uint32_t)(v < 0 ? -v : v);
    const uint32_t k = a >> 8;
    int32_t r;
    if (k >= 255u) {
        r = (int32_t)(0xFFFFu << 8);
    } else {
        const uint32_t lo = utvm_sigmoid_table_u16[k], hi = utvm_sigmoid_table_u16[k + 1];
        r = (int32_t)((lo << 8) + (a & 0xFFu) * (hi - lo));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(r >> 8);
}

/*
 * int16 LOGISTIC / TANH of `count` elements (16x8; zero points 0, output scale 2^-15): out[i] =
 * utvm_sigmoid16 / utvm_tanh16 of in[i] with the multiplier and shift the compiler computed from the
 * input scale. in and out may be the same buffer.
 */
void utvm_sigmoid_s16(const int16_t *in, int16_t *out, int32_t count, int32_t multiplier, int32_t shift);
void utvm_tanh_s16(const int16_t *in, int16_t *out, int32_t count, int32_t multiplier, int32_t shift);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_SIGMOID_S16_H */
