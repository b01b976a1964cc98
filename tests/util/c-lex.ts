/**
 * A small C99 lexer for tests that inspect generated C: it splits a file the way a compiler does in
 * translation phases 1–3 — trigraphs replaced (-std=c99 has them), backslash-newline splices removed, then
 * comments, string and character literals, and the other tokens (identifiers, pp-numbers, punctuators;
 * preprocessor lines are tokens like any others, `#` included). Code is what lies outside comments and
 * literals: the hostile-names test checks that model text never changes it.
 */

export type CTokenKind = 'identifier' | 'number' | 'punct' | 'string' | 'char' | 'comment' | 'other';

export interface CToken {
  kind: CTokenKind;
  text: string;
}

const TRIGRAPHS: Record<string, string> = { '=': '#', '(': '[', '/': '\\', ')': ']', "'": '^', '<': '{', '!': '|', '>': '}', '-': '~' };

/** Phases 1–2: trigraphs, then line splices. */
export function cPhases12(text: string): string {
  return text.replace(/\?\?([=(/)'<!>-])/g, (_, c: string) => TRIGRAPHS[c]).replace(/\\\n/g, '');
}

const PUNCTUATORS = [
  '%:%:', '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=',
  '&=', '^=', '|=', '##', '<:', ':>', '<%', '%>', '%:', '[', ']', '(', ')', '{', '}', '.', '&', '*', '+', '-', '~', '!', '/',
  '%', '<', '>', '^', '|', '?', ':', ';', '=', ',', '#',
];

/** The end of a quoted literal starting at `i` (the opening quote), or -1 when a newline or the end comes first. */
function literalEnd(s: string, i: number): number {
  const quote = s[i];
  for (let k = i + 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === quote) return k + 1;
    else if (s[k] === '\n') return -1;
  }
  return -1;
}

/** Every token of a C source, comments included; whitespace dropped. An unterminated comment or literal is an 'other' token. */
export function lexC(source: string): CToken[] {
  const s = cPhases12(source);
  const tokens: CToken[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) return [...tokens, { kind: 'other', text: s.slice(i) }];
      tokens.push({ kind: 'comment', text: s.slice(i, end + 2) });
      i = end + 2;
      continue;
    }
    if (s.startsWith('//', i)) {
      const end = s.indexOf('\n', i);
      const stop = end < 0 ? s.length : end;
      tokens.push({ kind: 'comment', text: s.slice(i, stop) });
      i = stop;
      continue;
    }
    const prefixed = /^(?:u8|[LuU])(?=["'])/.exec(s.slice(i, i + 3));
    const q = prefixed ? i + prefixed[0].length : i;
    if (s[q] === '"' || s[q] === "'") {
      const end = literalEnd(s, q);
      if (end < 0) return [...tokens, { kind: 'other', text: s.slice(i) }];
      tokens.push({ kind: s[q] === '"' ? 'string' : 'char', text: s.slice(i, end) });
      i = end;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 4096));
    if (id) {
      tokens.push({ kind: 'identifier', text: id[0] });
      i += id[0].length;
      continue;
    }
    const num = /^\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*/.exec(s.slice(i, i + 256));
    if (num) {
      tokens.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const p = PUNCTUATORS.find((x) => s.startsWith(x, i));
    tokens.push({ kind: p ? 'punct' : 'other', text: p ?? c });
    i += p ? p.length : 1;
  }
  return tokens;
}

/** The tokens outside comments and literals. */
export function codeTokens(source: string): CToken[] {
  return lexC(source).filter((t) => t.kind !== 'comment' && t.kind !== 'string' && t.kind !== 'char');
}

/**
 * Why two sources do not have the same code, or undefined when they do: the same tokens outside comments
 * and literals, except that identifiers may be spelled differently as long as one spelling always stands
 * for the other (a consistent one-to-one renaming). Literals must stand at the same places.
 */
export function sameCodeUpToRenaming(a: string, b: string): string | undefined {
  const ta = lexC(a).filter((t) => t.kind !== 'comment');
  const tb = lexC(b).filter((t) => t.kind !== 'comment');
  const ab = new Map<string, string>();
  const ba = new Map<string, string>();
  for (let k = 0; k < Math.max(ta.length, tb.length); k++) {
    const x = ta[k];
    const y = tb[k];
    const where = () => `token ${k}: ${JSON.stringify(x?.text.slice(0, 120))} vs ${JSON.stringify(y?.text.slice(0, 120))}`;
    if (!x || !y || x.kind !== y.kind) return `different tokens at ${where()}`;
    if (x.kind === 'other' || y.kind === 'other') return `not C at ${where()}`;
    if (x.kind === 'string' || x.kind === 'char') continue;
    if (x.kind !== 'identifier') {
      if (x.text !== y.text) return `different code at ${where()}`;
      continue;
    }
    if ((ab.get(x.text) ?? y.text) !== y.text || (ba.get(y.text) ?? x.text) !== x.text) return `inconsistent renaming at ${where()}`;
    ab.set(x.text, y.text);
    ba.set(y.text, x.text);
  }
  return undefined;
}
