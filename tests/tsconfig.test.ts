/**
 * The build ignores build folders anywhere: CMake writes `compiler_depend.ts` (a make fragment, not
 * TypeScript) into its build folders, and the README's library instructions create one under samples/.
 * The project's tsconfig.json is read by TypeScript itself against a copy of that layout.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as dist/tests/tsconfig.test.js). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('tsconfig.json compiles src/, tests/ and samples/ sources, not build folders (compiler_depend.ts), out/ or dist/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-tsconfig-'));
  try {
    const files = [
      'src/cli.ts',
      'tests/a.test.ts',
      'samples/cifar10/make-model.ts',
      'samples/app-cmake/build/CMakeFiles/app.dir/compiler_depend.ts',
      'samples/app-cmake/cmake-build/CMakeFiles/app.dir/compiler_depend.ts',
      'samples/app-make/cmake-build-release/compiler_depend.ts',
      'samples/kws/out/model/CMakeFiles/model.dir/compiler_depend.ts',
      'out/cifar10/cmake-build/CMakeFiles/cifar10.dir/compiler_depend.ts',
      'dist/src/cli.d.ts',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), '# CMAKE generated file: DO NOT EDIT!\n');
    }
    const config = ts.parseConfigFileTextToJson('tsconfig.json', readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
    const included = parsed.fileNames.map((f) => relative(dir, f)).sort();
    assert.equal(included, ['samples/cifar10/make-model.ts', 'src/cli.ts', 'tests/a.test.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
