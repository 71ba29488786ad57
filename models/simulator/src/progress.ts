/**
 * Progress on stderr without dependencies: a redrawn bar at most every 200 ms on a terminal, a few
 * plain lines (every quarter) otherwise.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export interface Progress {
  update(fraction: number, detail: string): void;
  done(detail: string): void;
}

export function createProgress(stream: ProgressStream, now: () => number, label = "simulate"): Progress {
  const tty = stream.isTTY === true;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let nextQuarter = 0.25;
  return {
    update(fraction, detail) {
      const f = Math.min(1, Math.max(0, fraction));
      if (tty) {
        const t = now();
        if (t - lastDraw < 200) return;
        lastDraw = t;
        const width = 30;
        const filled = Math.round(f * width);
        const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
        stream.write(`\r${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`);
      } else {
        while (f >= nextQuarter && nextQuarter < 1) {
          stream.write(`${label}: ${Math.round(nextQuarter * 100)}% ${detail}\n`);
          nextQuarter += 0.25;
        }
      }
    },
    done(detail) {
      stream.write(
        tty ? `\r${label} [${"#".repeat(30)}] 100% ${detail}\x1b[K\n` : `${label}: 100% ${detail}\n`,
      );
    },
  };
}
