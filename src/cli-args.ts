/**
 * Checking the command line's values, each failure one E_USAGE line: choices with "did you mean",
 * whole numbers, and yargs' own messages said the same way.
 */

import { fail } from './diagnostics.js';

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest of `candidates` to `word` when it is close enough to be a typo (or a prefix of it). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[], quote = "'"): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${quote}${c}${quote}?)`;
}

/** `value` of `--option` when it is one of `choices`, else E_USAGE with a suggestion and the choices. */
export function choice<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  const v = single(option, value);
  if ((choices as readonly string[]).includes(v)) return v as T;
  fail('E_USAGE', `unknown ${option} '${v}'${didYouMean(v, choices)}; choose one of: ${choices.join(', ')}`);
}

/** A value given at most once (yargs makes an array of a repeated option). */
export function single(option: string, value: unknown): string {
  if (Array.isArray(value)) fail('E_USAGE', `${option} is given ${value.length} times; give it once`);
  if (value === '' || value === true || value === undefined) fail('E_USAGE', `${option} needs a value`);
  return String(value);
}

/** `--option` as a whole number in [min, max], written in decimal digits; else E_USAGE. */
export function wholeNumber(option: string, value: unknown, min: number, max: number): number {
  const v = single(option, value).trim();
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) fail('E_USAGE', `${option} '${v}' is not a whole number`);
  if (n < min || n > max) fail('E_USAGE', `${option} ${n} is out of range: use ${min} to ${max}`);
  return n;
}

/** yargs' failure messages as one line, with "did you mean" for commands and options. */
export function usageMessage(msg: string, argv: string[], commands: readonly string[], options: (command: string) => string[], noModel: readonly string[] = []): string {
  if (/^Not enough non-option arguments/.test(msg)) return 'missing the model file (utvm-aot <command> <model> [options])';
  const flag0 = argv.find((a) => a.startsWith('-'));
  if (/^name a command/.test(msg) && flag0 !== undefined) {
    const name = flag0.split('=')[0];
    return `unknown option ${name}${didYouMean(name, ['--help', '--version', '-h'], '')}; name a command: ${commands.join(', ')}`;
  }
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!unknown) return msg.replace(/\s*\n\s*/g, '; ');
  const words = unknown[1].split(', ');
  const command = argv.find((a) => !a.startsWith('-')) ?? '';
  if (!commands.includes(command)) return `unknown command '${command}'${didYouMean(command, commands)}; commands: ${commands.join(', ')}`;
  // yargs names an unknown --foo-bar twice (foo-bar, fooBar) and unknown positionals as they are.
  const tokens = [...new Set(words.map((w) => argv.find((a) => a.replace(/^-+/, '').split('=')[0] === w) ?? w))].filter((t) => argv.includes(t) || t.startsWith('-') || words.length === 1);
  const flag = tokens.find((t) => t.startsWith('-'));
  if (flag) {
    const name = flag.split('=')[0];
    const known = options(command).map((o) => (o.length === 1 ? `-${o}` : `--${o}`));
    return `unknown option ${name} for '${command}'${didYouMean(name, known, '')}`;
  }
  const why = noModel.includes(command) ? `'${command}' takes no model file` : 'one model file per command';
  return `unexpected argument${tokens.length > 1 ? 's' : ''} ${tokens.map((t) => `'${t}'`).join(', ')} for '${command}' (${why})`;
}
