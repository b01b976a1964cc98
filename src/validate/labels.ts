/**
 * Labels for accuracy: a CSV with one row per case, in either of two forms —
 *
 *   file,class              e.g. `img_0001.npy,3`
 *   file,classes,label      MLPerf Tiny's y_labels.csv, e.g. `tst_000000_Stop_7.bin,12,7`
 *
 * A first row whose class is not a number is a header and is skipped; blank lines are skipped. A case is
 * matched by its file name (`tst_000000_Stop_7.bin`) or its name without the extension (a case folder
 * of a several-input model is matched by the folder's name).
 */

import { fail } from '../diagnostics.js';
import { argmax } from './metrics.js';

export type Labels = Map<string, number>;

const WHOLE = /^\d+$/;

/** Parses the labels CSV `text` read from `path` (named in the errors). */
export function parseLabels(text: string, path: string): Labels {
  const labels: Labels = new Map();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, k) => {
    const line = raw.trim();
    if (line === '') return;
    const cols = line.split(',').map((c) => c.trim());
    const cls = cols.length === 3 ? cols[2] : cols[1];
    const valid = (cols.length === 2 || cols.length === 3) && cols[0] !== '' && WHOLE.test(cls ?? '') && (cols.length === 2 || WHOLE.test(cols[1]));
    if (!valid) {
      if (labels.size === 0 && k === lines.findIndex((l) => l.trim() !== '') && cols.length >= 2 && !WHOLE.test(cls ?? '')) return; // a header
      fail('E_INPUT_FILE', `${path}:${k + 1}: expected 'file,class' or 'file,classes,label' with whole-number classes, got '${line.slice(0, 80)}'`);
    }
    if (cols.length === 3 && Number(cls) >= Number(cols[1])) {
      fail('E_INPUT_FILE', `${path}:${k + 1}: label ${cls} is not below the class count ${cols[1]}`);
    }
    if (labels.has(cols[0])) fail('E_INPUT_FILE', `${path}:${k + 1}: '${cols[0].slice(0, 80)}' is labelled twice`);
    labels.set(cols[0], Number(cls));
  });
  if (labels.size === 0) fail('E_INPUT_FILE', `${path}: no labels (expected rows 'file,class' or 'file,classes,label')`);
  return labels;
}

/** The label of a case named by its file (or folder) name, if the labels have it. */
export function labelOf(labels: Labels, caseFile: string): number | undefined {
  return labels.get(caseFile) ?? labels.get(caseFile.replace(/\.[^.]*$/, ''));
}

/** Fails (E_INPUT_FILE) when `labels` name none of the cases. */
export function checkLabels(labels: Labels, labelsPath: string, caseFiles: string[]): void {
  if (caseFiles.some((f) => labelOf(labels, f) !== undefined)) return;
  const first = [...labels.keys()][0];
  fail('E_INPUT_FILE', `${labelsPath}: names none of the ${caseFiles.length} case(s) (first case '${caseFiles[0]}', first label '${first}')`);
}

export interface Accuracy {
  /** Cases with a label, of all cases. */
  labelled: number;
  cases: number;
  /** Correct top-1 predictions of the compiled C and of the reference, of `labelled`. */
  ours: number;
  reference: number;
  oursPct: number;
  referencePct: number;
}

/**
 * Accuracy of ours and the reference against `labels` (top-1 of one classification output per case).
 */
export function accuracy(labels: Labels, labelsPath: string, caseFiles: string[], ours: ArrayLike<number>[], reference: ArrayLike<number>[]): Accuracy {
  checkLabels(labels, labelsPath, caseFiles);
  let labelled = 0;
  let okOurs = 0;
  let okRef = 0;
  caseFiles.forEach((f, k) => {
    const label = labelOf(labels, f);
    if (label === undefined) return;
    labelled++;
    if (argmax(ours[k]) === label) okOurs++;
    if (argmax(reference[k]) === label) okRef++;
  });
  const pct = (x: number) => (100 * x) / labelled;
  return { labelled, cases: caseFiles.length, ours: okOurs, reference: okRef, oursPct: pct(okOurs), referencePct: pct(okRef) };
}
