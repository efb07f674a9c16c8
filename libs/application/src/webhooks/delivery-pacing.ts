/** Bounds the attempts in flight across webhooks; a webhook waits its turn, never another's timeout in a queue of its own. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}


/** A wait for new changes that `wake` ends early; a wake while not waiting ends the next wait at once. */
export function wakeableWait(signal: AbortSignal): { wait(ms: number): Promise<void>; wake(): void } {
  let wakeUp: (() => void) | undefined;
  let woken = false;
  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    wait: (ms) =>
      new Promise<void>((resolve) => {
        if (woken || signal.aborted) {
          woken = false;
          return resolve();
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wakeUp = undefined;
          woken = false;
          resolve();
        }
        wakeUp = done;
        signal.addEventListener('abort', done, { once: true });
      }),
  };
}
