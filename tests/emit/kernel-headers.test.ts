/**
 * An export copies the kernel sources a model calls and the closure of the headers its kernel calls name
 * (src/emit/library.ts headerClosure). So every runtime-c/src/utvm_<kernel>.c must include only headers
 * reachable from one header that also declares the kernel (directly or through its includes): else a
 * model whose only DSP kernel is this one fails to build ("utvm/simd_s8.h: No such file"), as the first
 * int8 MUL and pooling DSP kernels did.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../util/cli.js';

const INCLUDE = join(ROOT, 'runtime-c', 'include');
const SRC = join(ROOT, 'runtime-c', 'src');
const includes = (text: string) => [...text.matchAll(/#include "([^"]+)"/g)].map((m) => m[1]);
const headers = readdirSync(join(INCLUDE, 'utvm')).filter((f) => f.endsWith('.h')).map((f) => `utvm/${f}`);
const headerText = new Map(headers.map((h) => [h, readFileSync(join(INCLUDE, h), 'utf8')]));

function closure(h: string, seen = new Set<string>()): Set<string> {
  if (seen.has(h) || !headerText.has(h)) return seen;
  seen.add(h);
  for (const x of includes(headerText.get(h)!)) closure(x, seen);
  return seen;
}

test('every kernel source includes only what one header declaring it brings along', () => {
  const sources = readdirSync(SRC).filter((f) => /^utvm_\w+\.c$/.test(f));
  assert.ok(sources.length > 100, `${sources.length} kernel sources`);
  const bad: string[] = [];
  for (const file of sources) {
    const kernel = file.slice(0, -2);
    const needs = includes(readFileSync(join(SRC, file), 'utf8'));
    const declares = new RegExp(`\\b${kernel}\\s*\\(`);
    const ok = headers.some((h) => {
      const c = closure(h);
      return [...c].some((x) => declares.test(headerText.get(x)!)) && needs.every((n) => c.has(n));
    });
    if (!ok) bad.push(`${file} (includes ${needs.join(', ')})`);
  }
  assert.equal(bad, []);
});

test.run();
