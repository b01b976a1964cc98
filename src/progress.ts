/**
 * Progress of the long steps (building, emulating, batched runs, bench, validate), on stderr so stdout
 * keeps only results. On a terminal: one line redrawn in place, with a bar, counts and an ETA. Otherwise
 * (a pipe, a file, or CI=true): plain lines, `utvm-aot: <step>` and `utvm-aot: <what> <done>/<total>`
 * at most about ten times per count. `silent` prints nothing (the library API's default).
 */

export interface Counter {
  /** `n` more items done; `detail` (e.g. the best so far) is shown after the count until the next one. */
  tick(n?: number, detail?: string): void;
  /** Ends the count (the terminal's bar line is replaced by a final line). */
  done(): void;
}

export interface Progress {
  /** A step starts: "building the firmware (make, arm-none-eabi-gcc)". */
  step(text: string): void;
  /** A count of `total` items ("cases", "inferences"), `what` says what is being done. */
  count(what: string, total: number, unit: string): Counter;
}

const NOTHING: Counter = { tick() {}, done() {} };

export const silent: Progress = { step() {}, count: () => NOTHING };

interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Progress on `sink` (default stderr): a bar on a terminal unless CI is set, plain lines otherwise. */
export function progressOn(sink: Sink = process.stderr, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): Progress {
  const tty = sink.isTTY === true && !(env.CI && env.CI !== 'false' && env.CI !== '0');
  return {
    step(text) {
      sink.write(`utvm-aot: ${text}\n`);
    },
    count(what, total, unit) {
      const start = now();
      let done = 0;
      let printed = 0;
      let note = '';
      const line = () => {
        const elapsed = now() - start;
        const eta = done > 0 && done < total ? `, ETA ${seconds((elapsed / done) * (total - done))}` : done >= total ? `, ${seconds(elapsed)}` : '';
        return `utvm-aot: ${what} ${done}/${total} ${unit}${eta}${note ? `; ${note}` : ''}`;
      };
      const draw = () => {
        if (tty) {
          const width = 24;
          const filled = total > 0 ? Math.round((width * done) / total) : width;
          sink.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line().slice('utvm-aot: '.length)}`);
        } else if (done > 0 && (done === total || done - printed >= Math.max(1, Math.ceil(total / 10)))) {
          printed = done;
          sink.write(`${line()}\n`);
        }
      };
      draw();
      return {
        tick(n = 1, detail?: string) {
          if (detail !== undefined) note = detail;
          done = Math.min(total, done + n);
          if (tty || done < total) draw();
        },
        done() {
          done = total;
          if (tty) sink.write(`\r\x1b[2K${line()}\n`);
          else if (printed !== total) {
            printed = total;
            sink.write(`${line()}\n`);
          }
        },
      };
    },
  };
}
