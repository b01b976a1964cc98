/**
 * `npm run fuzz -- [--cases N] [--seed S] [--start I] [--workers W] [--timeout-ms T] [--cli-every K] [--models DIR]`
 * `npm run fuzz -- --seed S --case I [--write FILE]`: one case again, its outcome printed (and the mutant written).
 *
 * Mutates the models under ../shared/models (see src/fuzz/cases.ts for what a case is), compiles each
 * in-process for the host and stm32f746-nucleo and a sample through the CLI, prints the count per mutation
 * kind and each distinct failure with its reproducer. Exit status 0 when nothing crashed or hung, 1 when
 * something did, 2 for a usage error.
 */

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeCase, runCase } from './cases.js';
import { DEFAULT_MODELS, loadCorpus } from './corpus.js';
import { formatReport, runFuzz } from './run.js';

function usage(message: string): never {
  process.stderr.write(`fuzz: error E_USAGE: ${message}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) usage(`--${name} must be an integer >= ${min}, got '${value}'`);
  return Number(value);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        cases: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        case: { type: 'string' },
        write: { type: 'string' },
        workers: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'cli-every': { type: 'string' },
        models: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    usage((e as Error).message.split('\n')[0]);
  }
  const seed = integer('seed', args.seed, 1, 0);
  const models = args.models ?? DEFAULT_MODELS;
  if (args.case !== undefined) {
    const index = integer('case', args.case, 0, 0);
    const c = makeCase(loadCorpus(models), seed, index);
    if (args.write) writeFileSync(args.write, c.bytes);
    const t0 = performance.now();
    const outcome = runCase(c);
    console.log(`case ${index} of seed ${seed}: ${c.kind} from ${c.model}${args.write ? ` (written to ${args.write})` : ''}`);
    console.log(`${outcome.status}${outcome.board ? ` [${outcome.board}]` : ''}${outcome.code ? ` ${outcome.code}` : ''}${outcome.message ? `: ${outcome.message}` : ''} (${Math.round(performance.now() - t0)} ms)`);
    process.exit(outcome.status === 'ok' || outcome.status === 'refused' ? 0 : 1);
  }
  const cases = integer('cases', args.cases, 1000, 1);
  const started = Date.now();
  const report = await runFuzz({
    cases,
    seed,
    start: integer('start', args.start, 0, 0),
    workers: integer('workers', args.workers, 1, 1),
    timeoutMs: integer('timeout-ms', args['timeout-ms'], 10_000, 1),
    cliEvery: integer('cli-every', args['cli-every'], 50, 0),
    models,
    onCase: (done, total) => {
      if (done % 500 === 0 && done < total) console.log(`${done}/${total} cases, ${Math.round((Date.now() - started) / 1000)} s`);
    },
  });
  console.log(formatReport(report));
  console.log(`${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(report.failures.length === 0 ? 0 : 1);
}

void main();
