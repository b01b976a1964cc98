/**
 * Window geometry shared by convolution and pooling: the taps a dilated window spans and the output size
 * along one axis.
 */

/** Taps a dilated window spans: (k − 1)·d + 1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/** Output positions along one axis (floor rounding); < 1 when the window does not fit. */
export function windowOutputSize(size: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  return Math.floor((size + padBegin + padEnd - effectiveKernel(kernel, dilation)) / stride) + 1;
}
