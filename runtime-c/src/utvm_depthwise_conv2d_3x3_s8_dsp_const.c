/*
 * utvm_depthwise_conv2d_3x3_s8_dsp_const is a static inline function of its header
 * (utvm/depthwise_conv2d_3x3_s8_dsp_const.h), compiled at each call site of the model: this file, which a
 * project lists for every kernel it calls, only checks that the header compiles on its own.
 */
#include "utvm/depthwise_conv2d_3x3_s8_dsp_const.h"

typedef int utvm_depthwise_conv2d_3x3_s8_dsp_const_unit;
