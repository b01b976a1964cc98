/**
 * Escaping at the emit boundary: every text that comes from the user's model or command line (tensor,
 * node and operator names, the model's file name, a --sample-input path) and reaches a generated file or
 * a printed command goes through exactly one of these functions, chosen by where it lands (its "sink").
 *
 *   cComment      inside a one-line C comment  /* … *\/
 *   hashComment   after `#` on a CMake or Makefile comment line
 *   cString       a C string literal, quotes included
 *   cIdentifier   a C identifier (reduced, not escaped: the text cannot be recovered)
 *   cBytes        a C string literal of raw bytes (compact initialiser of a byte array)
 *   cmakeString   a CMake quoted argument, quotes included (cmakeArg: bare when nothing needs quoting)
 *   makeValue     a word in a Makefile (a path in `include`, a value after `:=`)
 *   jsonText      a JSON document (JSON.stringify is already correct for JSON; named here so the sink is visible)
 *   shellArg      one argument of a POSIX shell command line printed for the user to paste
 *   displayText   one line of text for a console or an error message
 *
 * Programs started by utvm-aot itself get their arguments as argv arrays (execFile/spawn, never a shell),
 * so no model text is ever parsed by a shell.
 *
 * The C functions are written for C99 translation phases 1–3: trigraphs (`??/` is a backslash under
 * -std=c99) are replaced before anything else and backslash-newline splices lines before comments and
 * strings are recognised, so output never holds `??`, never ends a line in a backslash and never holds a
 * raw control character or a non-ASCII byte (the source character set is ASCII).
 */

/** Characters C99 and the build tools take as themselves: printable ASCII. */
function printable(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** `\xNN` / `\u{NNNN}` notation of a character that is not printable ASCII (a readable, reversible form). */
function escapedCodePoint(cp: number): string {
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/**
 * The text as printable ASCII pieces, one per code point: backslash doubled, every other non-printable or
 * non-ASCII code point as `\xNN` or `\u{N}`. Lone surrogates come out as `\u{d8xx}`.
 */
function readablePieces(text: string): string[] {
  const pieces: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') pieces.push('\\\\');
    else pieces.push(printable(cp) ? ch : escapedCodePoint(cp));
  }
  return pieces;
}

/** Joins pieces, cutting to at most `max` characters with "..." at the end (never inside a piece). */
function capped(pieces: string[], max: number): string {
  const all = pieces.join('');
  if (all.length <= max) return all;
  let out = '';
  for (const p of pieces) {
    if (out.length + p.length > max - 3) break;
    out += p;
  }
  return `${out}...`;
}

/**
 * One line of printable ASCII for a console or an error message: control characters and non-ASCII as
 * `\xNN` / `\u{N}`, backslash doubled, at most `max` characters (cut with "..."). Readable and one line,
 * whatever the text holds.
 */
export function displayText(text: string, max = 200): string {
  return capped(readablePieces(text), max);
}

/**
 * Text to put inside a one-line C comment. Guarantees: printable ASCII only (no newline, no control
 * character, no NUL; non-ASCII and controls as `\xNN`/`\u{N}`, backslash doubled so no backslash-newline
 * splice can form); neither comment delimiter (star-slash is written with a backslash between, `*\/`, and
 * so is slash-star, `/\*`); never `??` (a trigraph under -std=c99: written `?\?`); never a trailing `*`
 * or `/` (which could join the template's own delimiter: a space follows it). The text is cut to `max`
 * characters (with "...") before the delimiters are broken up, each of which adds one backslash.
 */
export function cComment(text: string, max = 80): string {
  const pieces = readablePieces(text);
  let out = capped(pieces, max);
  // Break the delimiters and trigraphs; each replacement only inserts backslashes, which cannot form them.
  for (;;) {
    const next = out.replace(/\*\//g, '*\\/').replace(/\/\*/g, '/\\*').replace(/\?\?/g, '?\\?');
    if (next === out) break;
    out = next;
  }
  if (/[*/]$/.test(out)) out += ' ';
  return out;
}

/**
 * Text for a `#` comment line of CMake or a Makefile. Guarantees: printable ASCII only (no newline or
 * carriage return to end the comment, no trailing backslash, which continues a Makefile comment onto the
 * next line: backslash doubled and a trailing one followed by a space), no `[[` / `[=` after the `#`
 * (CMake's bracket comments), at most `max` characters.
 */
export function hashComment(text: string, max = 80): string {
  let out = capped(readablePieces(text), max).replace(/\[(?=[[=])/g, '[ ');
  if (out.endsWith('\\')) out += ' ';
  return out;
}

/**
 * Escapes bytes for the inside of a C string literal: printable ASCII as itself except `"` and `\`
 * (escaped) and a `?` following a `?` (written `\?`: no trigraph); every other byte as an octal escape —
 * the shortest one, or all three digits when the next byte is an octal digit (an escape takes up to
 * three, so `\1` then `2` would read as `\12`). Octal rather than hex: a hex escape takes every hex digit
 * that follows it, with no length limit. The result holds no newline, no NUL and nothing but printable
 * ASCII.
 */
class StringBody {
  text = '';
  private rawQuestion = false;

  add(b: number, next: number): void {
    if (b === 0x3f) {
      // After `?` or `\?` the last character is a `?`: escape every following one.
      this.text += this.rawQuestion ? '\\?' : '?';
      this.rawQuestion = true;
      return;
    }
    this.rawQuestion = false;
    if (b === 0x22) this.text += '\\"';
    else if (b === 0x5c) this.text += '\\\\';
    else if (printable(b)) this.text += String.fromCharCode(b);
    else {
      const octal = b.toString(8);
      this.text += `\\${next >= 0x30 && next <= 0x37 ? octal.padStart(3, '0') : octal}`;
    }
  }

  /** Ends the current literal: what follows starts a new one (after a closing quote, no `??` can form). */
  take(): string {
    const t = this.text;
    this.text = '';
    this.rawQuestion = false;
    return t;
  }
}

/**
 * A C string literal, quotes included, holding the UTF-8 bytes of `text` (see StringBody: no trigraph,
 * no splice, no raw control or non-ASCII byte, so the literal ends exactly at its closing quote). Texts of
 * more than `maxBytes` UTF-8 bytes are cut (on a character boundary) and end in "...": C99 only promises
 * string literals of 4095 characters.
 */
export function cString(text: string, maxBytes = 255): string {
  let bytes = new TextEncoder().encode(text);
  if (bytes.length > maxBytes) {
    let cut = maxBytes - 3;
    while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
    bytes = new Uint8Array([...bytes.subarray(0, cut), 0x2e, 0x2e, 0x2e]);
  }
  const body = new StringBody();
  bytes.forEach((b, i) => body.add(b, i + 1 < bytes.length ? bytes[i + 1] : -1));
  return `"${body.take()}"`;
}

/**
 * Raw bytes as adjacent C string literals of about `perLine` characters each, one per line, each line
 * indented by `indent` (C joins adjacent literals). For `static const unsigned char x[N + 1] = <this>;`:
 * the array holds the N bytes and a NUL (sized N + 1 so that no compiler warns that the NUL is dropped).
 * 1 character per printable byte and 2–4 for others (2.76 per byte of random float32 data, against 3.37
 * for a list of float literals), and a compiler reads one token per line instead of one expression per
 * element. Empty data gives `""`.
 */
export function cBytes(bytes: Uint8Array, indent = '    ', perLine = 100): string {
  const lines: string[] = [];
  const body = new StringBody();
  for (let i = 0; i < bytes.length; i++) {
    body.add(bytes[i], i + 1 < bytes.length ? bytes[i + 1] : -1);
    if (body.text.length >= perLine) lines.push(`${indent}"${body.take()}"`);
  }
  if (body.text.length > 0 || lines.length === 0) lines.push(`${indent}"${body.take()}"`);
  return lines.join('\n');
}

/** FNV-1a (32 bits) of a text's UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * A C identifier made from any text: characters outside [A-Za-z0-9_] become `_`, runs of `_` one `_`
 * (identifiers holding `__` are reserved), `t_` in front of one that would start with a digit or `_`,
 * and at most `max` characters (C99 promises 63 significant ones): a longer one keeps its first
 * max - 9 characters and ends in `_` and a hash of the whole text, so long names that share a beginning
 * stay apart. Not injective: callers that need distinct identifiers add a suffix (emit/program.ts's
 * Identifiers).
 */
export function cIdentifier(s: string, max = 56): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_').replace(/_{2,}/g, '_');
  if (id === '' || /^[0-9_]/.test(id)) id = `t_${id}`.replace(/_{2,}/g, '_');
  if (id.length > max) id = `${id.slice(0, max - 9).replace(/_$/, '')}_${fnv1a(s)}`;
  return id;
}

/**
 * A CMake quoted argument, quotes included: `\`, `"` and `$` escaped (no variable reference `${…}` or
 * `$ENV{…}` is expanded), `;` escaped (no list split), newline, tab and carriage return as `\n` `\t` `\r`,
 * other control characters dropped (CMake has no escape for them).
 */
export function cmakeString(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\' || ch === '"' || ch === '$' || ch === ';') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch.charCodeAt(0) < 0x20 || ch === '\x7f') continue;
    else out += ch;
  }
  return `"${out}"`;
}

/** A CMake argument: bare when it holds only characters CMake takes as themselves, else cmakeString. */
export function cmakeArg(text: string): string {
  return text !== '' && /^[A-Za-z0-9_./:+-]+$/.test(text) ? text : cmakeString(text);
}

/**
 * A word in a Makefile (a path after `include`, a value after `:=`): `$` as `$$` (no expansion), `#` as
 * `\#` (no comment), space backslash-escaped (one word). make has no way to hold a newline or another
 * control character in a word: those are shown as `\xNN` (the word then names another file, but stays
 * one line and expands nothing).
 */
export function makeValue(text: string): string {
  const controls = [...text].map((ch) => (/[\x00-\x1f\x7f]/.test(ch) ? escapedCodePoint(ch.charCodeAt(0)) : ch)).join('');
  return controls.replace(/\$/g, '$$$$').replace(/[# ]/g, (m) => `\\${m}`);
}

/**
 * A JSON document: JSON.stringify already escapes quotes, backslashes, control characters and lone
 * surrogates, so any string round-trips. `indent` as JSON.stringify's; ends with a newline.
 */
export function jsonText(value: unknown, indent = 2): string {
  return `${JSON.stringify(value, null, indent)}\n`;
}

/**
 * One POSIX shell word: left bare when it holds only characters no shell treats specially, else in single
 * quotes (a `'` inside as `'\''`), so `$(…)`, backticks, `;`, spaces and globs are taken literally.
 */
export function shellArg(text: string): string {
  if (text !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}
