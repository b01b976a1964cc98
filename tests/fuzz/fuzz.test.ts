/**
 * The fuzz harness in CI: 300 mutated models of a fixed seed (every mutation kind, both formats, both
 * boards, 3 of them through the CLI) must give no exception that is not a UtvmError, no message of more
 * than one line, no case over 10 s and no exit status 3. Plus the harness's own checks: cases reproduce
 * from (seed, index) alone, and a case over the time limit is reported as a hang.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALL_KINDS, isOneLine, makeCase } from '../../src/fuzz/cases.js';
import { loadCorpus } from '../../src/fuzz/corpus.js';
import { formatReport, runFuzz } from '../../src/fuzz/run.js';

const SEED = 20261206;

test('300 cases of a fixed seed: no crash, no hang, no multi-line message, no exit 3', async () => {
  const report = await runFuzz({ cases: 300, seed: SEED, workers: 1, cliEvery: 100 });
  const text = formatReport(report);
  assert.is(report.cases, 300);
  assert.is(report.cliCases, 3);
  assert.equal(report.failures, [], text);
  for (const kind of ALL_KINDS) assert.ok(report.kinds.get(kind)!.cases > 0, `kind ${kind} ran\n${text}`);
  const totals = [...report.kinds.values()].reduce((s, k) => ({ ok: s.ok + k.ok, refused: s.refused + k.refused }), { ok: 0, refused: 0 });
  assert.ok(totals.ok > 30 && totals.refused > 100, `some mutants compile, most are refused\n${text}`);
});

test('a case is reproduced from (seed, index) alone', () => {
  const corpus = loadCorpus();
  for (const index of [0, 7, 123]) {
    const a = makeCase(corpus, SEED, index);
    const b = makeCase(corpus, SEED, index);
    assert.is(a.kind, b.kind);
    assert.is(a.model, b.model);
    assert.equal(a.bytes, b.bytes);
  }
  assert.not.equal(makeCase(corpus, SEED, 1).bytes, makeCase(corpus, SEED + 1, 1).bytes);
});

test('a case over the time limit is a hang, and the worker is replaced', async () => {
  const report = await runFuzz({ cases: 2, seed: SEED, workers: 1, cliEvery: 0, timeoutMs: 1 });
  assert.is(report.failures.length, 2);
  assert.equal(report.failures.map((f) => f.status), ['hang', 'hang']);
  assert.match(formatReport(report), /2 cases \(0 also through the CLI\), 0 crashes, 2 hangs/);
});

test('one line: line feeds, carriage returns, escapes and U+2028 are not', () => {
  assert.ok(isOneLine("fuzz.onnx: node 'a\\nb' (Relu): x"));
  for (const c of ['\n', '\r', '\u001b', '\u0000', '\u2028', '\u0085']) assert.not.ok(isOneLine(`a${c}b`));
});

test.run();
