/**
 * Breaking one C kernel on purpose, for the tests of `validate --per-layer` (the fastest way to find a
 * wrong kernel): a `ValidateOptions.patchFiles` that appends `statement` to the end of the kernel's
 * public function (the last function of runtime/src/<kernel>.c) in the compiled FileMap, before it is
 * built. Nothing of it reaches the product's C.
 */

import * as assert from 'uvu/assert';
import type { FileMap } from '../../src/emit/project.js';

export function breakKernel(kernel: string, statement: string): (files: FileMap) => FileMap {
  return (files) => {
    const path = `runtime/src/${kernel}.c`;
    const source = files.get(path);
    assert.ok(source, `${path} is part of the compiled project`);
    const end = source!.lastIndexOf('}');
    files.set(path, `${source!.slice(0, end)}    ${statement} /* broken on purpose by the test */\n${source!.slice(end)}`);
    return files;
  };
}
