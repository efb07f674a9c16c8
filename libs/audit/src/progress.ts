import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress bar with events/s and ETA on a terminal; on anything else (CI logs, files) plain
 * lines, at most one per `intervalMs`, with no control characters.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean }), options: { intervalMs?: number } = {}): Progress {
  const started = Date.now();
  const rate = (done: number) => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}`,
      hideCursor: true,
      noTTYOutput: false,
    });
    bar.start(1, 0, { speed: 0 });
    return {
      update: (done, total) => {
        if (total !== undefined) bar.setTotal(Math.max(total, 1));
        bar.update(done, { speed: rate(done) });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest = { done: 0, total: undefined as number | undefined };
  const line = () => {
    const { done, total } = latest;
    const eta = total && done ? Math.max(0, Math.round(((total - done) / Math.max(rate(done), 1)))) : undefined;
    stream.write(`${label}: ${done}${total ? `/${total}` : ''} events, ${rate(done)} events/s${eta !== undefined ? `, ETA ${eta}s` : ''}\n`);
  };
  return {
    update: (done, total) => {
      latest = { done, total: total ?? latest.total };
      if (Date.now() - last >= (options.intervalMs ?? 5000)) {
        last = Date.now();
        line();
      }
    },
    stop: () => line(),
  };
}
