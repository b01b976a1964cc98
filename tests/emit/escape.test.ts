/**
 * src/emit/escape.ts, function by function, on exact strings (what each sink's reader makes of them is
 * checked with gcc, sh and make in hostile-names.test.ts).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cBytes, cComment, cIdentifier, cString, cmakeArg, cmakeString, displayText, hashComment, jsonText, makeValue, shellArg } from '../../src/emit/escape.js';

test('cComment: no delimiters, trigraphs, line breaks or non-ASCII; capped with "..."', () => {
  assert.is(cComment('conv1: conv2d [1,8,8,3]'), 'conv1: conv2d [1,8,8,3]');
  assert.is(cComment('n */ #error injected\n'), 'n *\\/ #error injected\\x0a');
  assert.is(cComment('/* x'), '/\\* x');
  assert.is(cComment('a ??/ b ???'), 'a ?\\?/ b ?\\?\\?');
  assert.is(cComment('back\\'), 'back\\\\');
  assert.is(cComment('nul\0 é 名'), 'nul\\x00 \\xe9 \\u{540d}');
  assert.is(cComment('ends in a star *'), 'ends in a star * ');
  assert.is(cComment('x'.repeat(100)), `${'x'.repeat(77)}...`);
  assert.is(cComment('x'.repeat(100), 160), 'x'.repeat(100));
  assert.is(cComment(`${'x'.repeat(75)}\n\n`), `${'x'.repeat(75)}...`, 'an escape is never cut in two');
});

test('hashComment: one line, no trailing backslash, no bracket comment', () => {
  assert.is(hashComment('a\nadd_library(x)'), 'a\\x0aadd_library(x)');
  assert.is(hashComment('end\\'), 'end\\\\ ', 'a space after a trailing backslash, doubled or not');
  assert.is(hashComment('#[[ x ]] #[=[ y'), '#[ [ x ]] #[ =[ y');
});

test('cString: octal escapes padded before an octal digit, ?? broken, quotes and backslashes escaped, capped', () => {
  assert.is(cString('plain'), '"plain"');
  assert.is(cString('say "hi" \\'), '"say \\"hi\\" \\\\"');
  assert.is(cString('\x01' + '7'), '"\\0017"');
  assert.is(cString('\x01' + '8'), '"\\18"');
  assert.is(cString('\n\0'), '"\\12\\0"');
  assert.is(cString('??=???'), '"?\\?=?\\?\\?"');
  assert.is(cString('é'), '"\\303\\251"');
  assert.is(cString('x'.repeat(300)), `"${'x'.repeat(252)}..."`);
  assert.is(cString(`${'x'.repeat(251)}é`), `"${'x'.repeat(251)}\\303\\251"`, '253 bytes: not cut');
  assert.is(cString(`${'x'.repeat(251)}ééx`), `"${'x'.repeat(251)}..."`, 'cut before a whole character');
});

test('cBytes: lines of adjacent literals; empty data is ""', () => {
  assert.is(cBytes(new Uint8Array([0x41, 0x00, 0x31, 0x3f, 0x3f, 0x2f]), '  '), '  "A\\0001?\\?/"');
  assert.is(cBytes(new Uint8Array(0)), '    ""');
  assert.is(cBytes(new Uint8Array(30).fill(0x61), '', 10), '"aaaaaaaaaa"\n"aaaaaaaaaa"\n"aaaaaaaaaa"');
  assert.is(cBytes(new Uint8Array([0x3f, 0x3f]), '', 1), '"?"\n"?"', 'a new literal starts a new ?? run');
});

test('cIdentifier: a valid, unreserved, bounded C identifier', () => {
  assert.is(cIdentifier('w_conv1/weights:0'), 'w_conv1_weights_0');
  assert.is(cIdentifier('w_*/ * 0 + 16 /*'), 'w_0_16_');
  assert.is(cIdentifier('1abc'), 't_1abc');
  assert.is(cIdentifier('__x'), 't_x');
  assert.is(cIdentifier(''), 't_');
  const long = cIdentifier(`${'a'.repeat(100)}1`);
  assert.ok(/^a{47}_[0-9a-f]{8}$/.test(long), long);
  assert.is.not(long, cIdentifier(`${'a'.repeat(100)}2`), 'long names that share a beginning stay apart');
});

test('cmakeString, cmakeArg, makeValue, shellArg, jsonText, displayText', () => {
  assert.is(cmakeString('a ${X} "q" \\ ;\n\x01'), '"a \\${X} \\"q\\" \\\\ \\;\\n"');
  assert.is(cmakeArg('/tmp/out/cifar10'), '/tmp/out/cifar10');
  assert.is(cmakeArg('my out'), '"my out"');
  assert.is(makeValue('a b#$(X)'), 'a\\ b\\#$$(X)');
  assert.is(makeValue('x\ny'), 'x\\x0ay');
  assert.is(shellArg('out/model_1.c'), 'out/model_1.c');
  assert.is(shellArg("it's $(id)"), "'it'\\''s $(id)'");
  assert.is(shellArg(''), "''");
  assert.is(jsonText({ a: 'x\n"\0' }, 0), '{"a":"x\\n\\"\\u0000"}\n');
  assert.is(displayText('two\nlines\x1b[0m'), 'two\\x0alines\\x1b[0m');
});

test.run();
