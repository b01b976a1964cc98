/*
 * utvm_conv2d_1x1_s8_dsp_const is a static inline function of its header (utvm/conv2d_1x1_s8_dsp_const.h),
 * compiled at each call site of the model: this file, which a project lists for every kernel it calls,
 * only checks that the header compiles on its own.
 */
#include "utvm/conv2d_1x1_s8_dsp_const.h"

typedef int utvm_conv2d_1x1_s8_dsp_const_unit;
