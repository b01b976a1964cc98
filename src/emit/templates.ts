/**
 * Handlebars templates and runtime sources shipped with the compiler (templates/, runtime-c/, boards/).
 *
 * These files belong to utvm-aot itself, so reading them is not user I/O; they are read once and cached.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

let root: string | undefined;

/** The utvm-aot package root (the folder holding package.json, templates/ and runtime-c/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('internal: utvm-aot package root not found');
    dir = up;
  }
  root = dir;
  return dir;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<path> with `view`. Templates print raw C: no HTML escaping. */
export function render(path: string, view: object): string {
  let t = compiled.get(path);
  if (!t) {
    const source = readFileSync(join(packageRoot(), 'templates', path), 'utf8');
    t = Handlebars.compile(source, { noEscape: true, strict: true });
    compiled.set(path, t);
  }
  return t(view);
}

/** Reads a file shipped with the package (relative to its root). */
export function packageFile(path: string): string {
  return readFileSync(join(packageRoot(), path), 'utf8');
}

/** Lists a folder shipped with the package (relative to its root), sorted. */
export function packageDir(path: string): string[] {
  return readdirSync(join(packageRoot(), path)).sort();
}

export function compilerVersion(): string {
  return (JSON.parse(packageFile('package.json')) as { version: string }).version;
}
