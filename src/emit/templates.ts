/**
 * Handlebars templates and runtime sources shipped with the compiler (templates/, runtime-c/, boards/).
 *
 * These files belong to utvm-aot itself, so reading them is not user I/O; they are read once and cached.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { cComment, cString, hashComment } from './escape.js';

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

/**
 * The templates' Handlebars, with one helper per sink of src/emit/escape.ts. `noEscape`: `{{x}}` prints
 * x as it is (HTML escaping is wrong for C), so a template prints text from the model only through a
 * helper that names where it lands: `/* {{cComment tensor}} *\/`, `{{cString node}}`, `# {{hashComment source}}`.
 * Plain `{{x}}` is for the compiler's own values: numbers, C identifiers it checked or made, board data.
 */
const hbs = Handlebars.create();
/* `{{cComment text}}` or `{{cComment text 160}}` (a longer cap); Handlebars passes its options last. */
hbs.registerHelper('cComment', (text: unknown, ...rest: unknown[]) => cComment(String(text), typeof rest[0] === 'number' ? rest[0] : undefined));
hbs.registerHelper('cString', (text: unknown) => cString(String(text)));
hbs.registerHelper('hashComment', (text: unknown) => hashComment(String(text)));

/** Renders templates/<path> with `view`. Templates print raw C: no HTML escaping. */
export function render(path: string, view: object): string {
  let t = compiled.get(path);
  if (!t) {
    const source = readFileSync(join(packageRoot(), 'templates', path), 'utf8');
    t = hbs.compile(source, { noEscape: true, strict: true });
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
