/**
 * gemmlowp's fixed-point transcendental functions, the arithmetic of TensorFlow Lite's int8 softmax and
 * logistic (and of CMSIS-NN's arm_softmax_s8), in TypeScript: the reference that the tests hold the C
 * kernels to (runtime-c/include/utvm/fixedpoint.h is the C twin) and the compile-time preparation of
 * those kernels' parameters.
 *
 * A fixed-point value with I integer bits is an int32 raw r meaning r / 2^(31 − I). Multiplication is
 * saturatingRoundingDoublingHighMul, division by a power of two roundingDivideByPOT (src/ir/quant.ts).
 */

import {
  INT32_MAX,
  INT32_MIN,
  QuantizedMultiplier,
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAwayFromZero,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as mul,
} from './quant.js';

/** x · 2^exponent saturated to int32 (gemmlowp's SaturatingRoundingMultiplyByPOT, exponent > 0). */
export function mulPotSaturating(x: number, exponent: number): number {
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent;
}

/** (a + b) / 2 rounded half away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

function expOnIntervalMinusQuarterToZero(a: number): number {
  const expMinusOneEighth = 1895147668;
  const oneThird = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((mul((x4Over4 + x3) | 0, oneThird) + x2) | 0, 1);
  return (expMinusOneEighth + mul(expMinusOneEighth, (x + poly) | 0)) | 0;
}

const EXP_BARREL = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

/** exp(a) for a ≤ 0 with `integerBits` (1–5) integer bits; the result has 0 integer bits. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const aModQuarterMinusQuarter = ((a & (oneQuarter - 1)) - oneQuarter) | 0;
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  let result = expOnIntervalMinusQuarterToZero(mulPotSaturating(aModQuarterMinusQuarter, integerBits));
  for (let k = -2; k <= 4 && k < integerBits; k++) {
    if ((remainder & (2 ** (fractionalBits + k))) !== 0) result = mul(result, EXP_BARREL[k + 2]);
  }
  return a === 0 ? INT32_MAX : result;
}

/** 1 / (1 + a) for a in [0, 1), 0 integer bits in and out. */
export function oneOverOnePlusX(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = (1515870810 + mul(halfDenominator, -1010580540)) | 0;
  for (let i = 0; i < 3; i++) {
    const oneMinus = ((1 << 29) - mul(halfDenominator, x)) | 0;
    x = (x + mulPotSaturating(mul(x, oneMinus), 2)) | 0;
  }
  return mulPotSaturating(x, 1);
}

/** 1 / (1 + exp(−a)) for a with `integerBits` integer bits; the result has 0 integer bits. */
export function logistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const magnitude = Math.abs(a);
  const positive = oneOverOnePlusX(expOnNegativeValues(-magnitude, integerBits));
  return a > 0 ? positive : INT32_MAX - positive;
}

// ---------------------------------------------------------------------------------------------------
// Compile-time preparation (TFLite's quantization_util.cc)

/** TFLite's CalculateInputRadius: the largest |x − max| (or |x − zero point|) worth computing. */
export function calculateInputRadius(integerBits: number, leftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled = (2 ** integerBits - 1) * 2 ** (totalSignedBits - integerBits) / 2 ** leftShift;
  return Math.floor(maxInputRescaled);
}

/**
 * TFLite's PreprocessSoftmaxScaling: beta · input_scale · 2^(31 − integerBits), capped at 2^31 − 1, as a
 * multiplier greater than one. `undefined` when the product is not greater than one (TFLite aborts).
 */
export function preprocessSoftmaxScaling(beta: number, inputScale: number, integerBits: number): QuantizedMultiplier | undefined {
  const real = Math.min(beta * inputScale * 2 ** (31 - integerBits), 2 ** 31 - 1);
  if (!(real > 1)) return undefined;
  return quantizeMultiplier(real);
}

/** The int8 softmax parameters of TFLite (kScaledDiffIntegerBits = 5) for a float beta and input scale. */
export interface SoftmaxS8Params {
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

export const SOFTMAX_DIFF_INTEGER_BITS = 5;

export function softmaxS8Params(beta: number, inputScale: number): SoftmaxS8Params | undefined {
  const m = preprocessSoftmaxScaling(beta, inputScale, SOFTMAX_DIFF_INTEGER_BITS);
  if (!m) return undefined;
  return {
    inputMultiplier: m.multiplier,
    inputLeftShift: m.shift,
    diffMin: -calculateInputRadius(SOFTMAX_DIFF_INTEGER_BITS, m.shift),
  };
}

/**
 * One line of TFLite's int8 softmax (output scale 1/256, zero point −128), as CMSIS-NN's arm_softmax_s8
 * computes it. Returns the int8 outputs.
 */
export function softmaxS8Line(x: readonly number[], p: SoftmaxS8Params): number[] {
  const max = Math.max(...x);
  const scaledExp = (diff: number) => expOnNegativeValues(mul(diff * 2 ** p.inputLeftShift, p.inputMultiplier), SOFTMAX_DIFF_INTEGER_BITS);
  let sum = 0;
  for (const v of x) if (v - max >= p.diffMin) sum += roundingDivideByPOT(scaledExp(v - max), 12);
  const headroom = Math.clz32(sum);
  const shiftedSumMinusOne = (sum * 2 ** headroom - 2 ** 31) | 0;
  const scale = oneOverOnePlusX(shiftedSumMinusOne);
  const bitsOverUnit = 12 - headroom + 23;
  return x.map((v) => {
    if (v - max < p.diffMin) return -128;
    const q = bitsOverUnit > 31 ? 0 : roundingDivideByPOT(mul(scale, scaledExp(v - max)), bitsOverUnit);
    return Math.min(127, q - 128);
  });
}

/** TFLite's int8 LOGISTIC parameters (kInputIntegerBits = 4) for an input quantization. */
export interface LogisticS8Params {
  inputZeroPoint: number;
  inputRangeRadius: number;
  inputMultiplier: number;
  inputLeftShift: number;
}

export const LOGISTIC_INPUT_INTEGER_BITS = 4;

/**
 * TFLM's CalculateArithmeticOpDataLogistic for int8: frexp of input_scale · 2^27 without the 2^31 carry
 * of QuantizeMultiplier (a mantissa that rounds up to 2^31 saturates to 2^31 − 1, as the float-to-int
 * conversion of the Cortex-M FPU does).
 */
export function logisticS8Params(inputScale: number, inputZeroPoint: number): LogisticS8Params {
  const real = inputScale * 2 ** (31 - LOGISTIC_INPUT_INTEGER_BITS);
  const { fraction, exponent } = frexp(real);
  const multiplier = Math.min(roundHalfAwayFromZero(fraction * 2 ** 31), INT32_MAX);
  return {
    inputZeroPoint,
    inputRangeRadius: calculateInputRadius(LOGISTIC_INPUT_INTEGER_BITS, exponent),
    inputMultiplier: multiplier,
    inputLeftShift: exponent,
  };
}

/** One element of TFLite's int8 logistic (output scale 1/256, zero point −128). */
export function logisticS8(q: number, p: LogisticS8Params): number {
  const x = q - p.inputZeroPoint;
  if (x <= -p.inputRangeRadius) return -128;
  if (x >= p.inputRangeRadius) return 127;
  const xQ4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
  const y = roundingDivideByPOT(logistic(xQ4, LOGISTIC_INPUT_INTEGER_BITS), 23) - 128;
  return Math.max(-128, Math.min(127, y));
}

// ---------------------------------------------------------------------------------------------------
// tanh and the inverse square root (TFLite's int8 TANH and RSQRT)

/** (1 − a) / (1 + a) for a in [0, 1), 0 integer bits in and out (gemmlowp's Newton–Raphson division). */
export function oneMinusXOverOnePlusX(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = (1515870810 + mul(halfDenominator, -1010580540)) | 0;
  for (let i = 0; i < 3; i++) {
    const oneMinus = ((1 << 29) - mul(halfDenominator, x)) | 0;
    x = (x + mulPotSaturating(mul(x, oneMinus), 2)) | 0;
  }
  return mulPotSaturating((x - (1 << 29)) | 0, 2);
}

/** tanh(a) for a with `integerBits` (0–4) integer bits; the result has 0 integer bits (gemmlowp's tanh). */
export function tanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // −tanh(n) for n < 0: (1 − e^(2n)) / (1 + e^(2n)), 2n read with one more integer bit (an exact ×2).
  const t = oneMinusXOverOnePlusX(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * TFLite's GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = −1): 1/√input as a multiplier and a
 * left-shift exponent, by gemmlowp's Newton–Raphson iteration with 3 integer bits. input ≥ 0; 0 and 1
 * give (2^31 − 1, 0).
 */
export function invSqrtQuantizedMultiplierExp(input: number): QuantizedMultiplier {
  if (input <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  while (input >= 2 ** 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const pairs = Math.floor((Math.clz32(input) - 1) / 2) - 1;
  shift -= pairs;
  input = input * 2 ** (2 * pairs);
  const x0 = input >> 1; // F3
  const halfInput = roundingDivideByPOT(x0, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28; // F3 one
  for (let i = 0; i < 5; i++) {
    const x3 = mulPotSaturating(mul(mul(x, x), x), 6); // F9 → F3
    x = mulPotSaturating((mul(halfThree, x) - mul(halfInput, x3)) | 0, 3); // F6 → F3
  }
  let m = mul(x, 1518500250); // × √2/2
  if (shift < 0) {
    m = (m << -shift) | 0;
    shift = 0;
  }
  return { multiplier: m, shift: -shift };
}
