/**
 * Which importer reads a model file, decided by its content (magic bytes), not its name: TensorFlow Lite
 * files carry `TFL3` at byte 4; the formats people often try instead (Keras HDF5 and .keras, PyTorch
 * checkpoints, TensorFlow .pb, safetensors) are recognised and refused with what to do instead.
 * Everything else is read as ONNX (a protobuf has no magic), whose importer says when it is not.
 */

import onnxProto from 'onnx-proto';
import { fail } from '../diagnostics.js';

export type ModelFormat = 'onnx' | 'tflite';

const READS = 'utvm-aot reads ONNX (.onnx) and TensorFlow Lite (.tflite) models';

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));
}

const HDF5 = '\x89HDF\r\n\x1a\n';

/** The names of the first few entries of a zip archive (their local headers). */
function zipNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; names.length < 8 && at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50; ) {
    const nameLen = view.getUint16(at + 26, true);
    const extraLen = view.getUint16(at + 28, true);
    const size = view.getUint32(at + 18, true);
    names.push(ascii(bytes, at + 30, at + 30 + nameLen));
    if (view.getUint16(at + 6, true) & 8) break; // sizes follow the data: cannot walk on
    at += 30 + nameLen + extraLen + size;
  }
  return names;
}

/** True when `bytes` decode as an ONNX model with a graph (used for .pb files, which may be either). */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  try {
    const m = onnxProto.onnx.ModelProto.decode(bytes);
    return Number(m.irVersion ?? 0) > 0 && !!m.graph && (m.graph.node ?? []).length > 0;
  } catch {
    return false;
  }
}

/** The format of a model file, or E_MODEL_FORMAT with advice for a known other format. */
export function detectModelFormat(bytes: Uint8Array, fileName: string): ModelFormat {
  if (ascii(bytes, 4, 8) === 'TFL3') return 'tflite';
  const lower = fileName.toLowerCase();
  const keras = `export it to TensorFlow Lite (tf.lite.TFLiteConverter.from_keras_model) or ONNX (tf2onnx) first`;
  if (ascii(bytes, 0, 8) === HDF5 || ascii(bytes, 512, 520) === HDF5) {
    fail('E_MODEL_FORMAT', `${fileName}: is an HDF5 file (a Keras .h5 model); ${READS}: ${keras}`);
  }
  if (ascii(bytes, 0, 4) === 'PK\x03\x04') {
    const names = zipNames(bytes);
    if (lower.endsWith('.keras') || names.some((n) => n === 'config.json' || n === 'metadata.json' || n.endsWith('.weights.h5'))) {
      fail('E_MODEL_FORMAT', `${fileName}: is a Keras model (.keras archive); ${READS}: ${keras}`);
    }
    if (names.some((n) => /(^|\/)(data\.pkl|version|byteorder)$/.test(n)) || /\.(pt|pth|ckpt|bin)$/.test(lower)) {
      fail('E_MODEL_FORMAT', `${fileName}: is a PyTorch checkpoint (torch.save); ${READS}: export the model with torch.onnx.export first`);
    }
    fail('E_MODEL_FORMAT', `${fileName}: is a zip archive, not a model; ${READS}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
    fail('E_MODEL_FORMAT', `${fileName}: is a Python pickle (a PyTorch checkpoint saved with torch.save?); ${READS}: export the model with torch.onnx.export first`);
  }
  if (ascii(bytes, 0, 4) === 'GGUF') fail('E_MODEL_FORMAT', `${fileName}: is a GGUF file (llama.cpp); ${READS}`);
  if (bytes.length > 10 && ascii(bytes, 8, 10) === '{"' && /\.safetensors$/.test(lower)) {
    fail('E_MODEL_FORMAT', `${fileName}: is a safetensors file (weights without a graph); ${READS}: export the model to ONNX first (torch.onnx.export)`);
  }
  if (lower.endsWith('.pb') && !looksLikeOnnx(bytes)) {
    fail('E_MODEL_FORMAT', `${fileName}: looks like a TensorFlow GraphDef or SavedModel (.pb); ${READS}: convert it with tf.lite.TFLiteConverter or tf2onnx first`);
  }
  if (lower.endsWith('.tflite') && !looksLikeOnnx(bytes)) return 'tflite';
  return 'onnx';
}
