// Issue 18: patch-based execution on the MLPerf Tiny int8 models — arena against instructions for each
// model's patch plans (`--ram-budget`), beside TFLite Micro's planned activation area (tflm-run --info:
// "nonpersistent"). Each row: one firmware built and run on the emulator (plain build, second run).
// `npm run bench` appends this table to bench/results.md; `node scripts/bench-patch.mjs` prints it alone.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const group = (n) => (n === undefined ? '–' : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','));

/** Budgets per model: layer by layer (undefined), then tighter ones, down to 0.5x TFLite Micro's planned area. */
export const PATCH_BUDGETS = {
  ic: [undefined, 30000, 24576, 18688],
  kws: [undefined, 14000, 8000, 6200],
  vww: [undefined, 40000, 36864, 35000],
  ad: [undefined, 384],
};

export async function patchTable(root, shared, log = (s) => process.stderr.write(s)) {
  const { benchPatch } = await import(join(root, 'dist', 'src', 'bench.js'));
  const { UtvmError } = await import(join(root, 'dist', 'src', 'diagnostics.js'));
  const baseline = JSON.parse(readFileSync(join(shared, 'baselines', 'tflm-cmsis-nn-cm7.json'), 'utf8'));
  const rows = [];
  for (const [key, budgets] of Object.entries(PATCH_BUDGETS)) {
    const path = join(shared, 'models', baseline.models[key].model);
    const info = spawnSync(join(shared, 'tools', 'tflm', 'tflm-run'), ['--info', path], { encoding: 'utf8' }).stderr ?? '';
    const planned = Number(/nonpersistent (\d+)/.exec(info)?.[1]) || undefined;
    let first;
    for (const budget of budgets) {
      log(`bench patch ${key} --ram-budget ${budget ?? 'none'}\n`);
      try {
        const r = benchPatch(new Uint8Array(readFileSync(path)), path.replace(/^.*\//, ''), key, budget);
        first ??= r;
        rows.push(
          `| ${key} | ${budget === undefined ? 'none (layer by layer)' : group(budget)} | ${r.stages} | ${group(r.arenaBytes)} | ${planned ? (r.arenaBytes / planned).toFixed(2) : '–'} | ` +
            `${group(r.instructions)} | ${(r.instructions / first.instructions).toFixed(2)} | ${group(r.macs)} | ${group(r.flash)} |  |`,
        );
      } catch (e) {
        if (!(e instanceof UtvmError)) throw e;
        rows.push(`| ${key} | ${group(budget)} | – | – | – | – | – | – | – | ${e.code}: ${e.message.split('\n')[0].replace(/\|/g, '\\|')} |`);
      }
    }
    rows.push(`| ${key} | TFLite Micro planned area | | ${group(planned)} | 1.00 | ${group(baseline.models[key].instructions)} (CMSIS-NN) | | ${group(baseline.models[key].macs)} | | |`);
  }
  return [
    '## Patch-based execution: arena against instructions (--ram-budget)',
    '',
    'Each model compiled with `--ram-budget B` (src/lower/patch/): runs of convolution / depthwise / pooling layers',
    'execute a band of rows at a time, keeping the rows bands share in line buffers (or, where that saves more',
    'memory, recomputing them). Instructions per inference on the',
    'emulated M7 (plain build, second run); MACs include any recomputation; ×planned = arena / TFLite Micro\'s',
    'planned activation area (`tflm-run --info`: nonpersistent); ×instr = instructions / the layer-by-layer build\'s.',
    '',
    '| model | --ram-budget B | stages | arena B | ×planned | instructions | ×instr | MACs | flash B | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const shared = resolve(process.env.UTVM_SHARED ?? join(root, '..', 'shared'));
  console.log((await patchTable(root, shared)).join('\n'));
}
