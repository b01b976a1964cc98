/** "CODE: message" of the UtvmError `fn` throws, or 'no error' (any other exception propagates). */

import { UtvmError } from '../../src/diagnostics.js';

export function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UtvmError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}
