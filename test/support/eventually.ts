/**
 * Probes until `probe` gives a value (not undefined), every `pauseMs`, for at most `ms`; a probe that throws counts as
 * not yet. Throws `timed out waiting for <what>` once the time is up.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, { ms = 60_000, pauseMs = 100 }: { ms?: number; pauseMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, pauseMs));
  }
}
