import { PassThrough } from 'node:stream';
import { createProgress } from './progress';

function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let written = '';
  stream.on('data', (chunk) => (written += chunk.toString()));
  return { stream, written: () => written };
}

describe('progress output', () => {
  it('draws a bar with events/s and ETA on a terminal', () => {
    const { stream, written } = terminal(true);
    const progress = createProgress('replay', stream as never);
    progress.update(250, 1000);
    progress.stop();
    expect(written()).toMatch(/replay \[.*\] \d+% \| 250\/1000 events \| \d+ events\/s \| ETA/);
  });

  it('writes plain lines, without control characters, anywhere else (CI logs)', () => {
    const { stream, written } = terminal(false);
    const progress = createProgress('replay', stream as never, { intervalMs: 0 });
    progress.update(250, 1000);
    progress.stop();
    expect(written()).toMatch(/^replay: 250\/1000 events, \d+ events\/s, ETA \d+s\n/);
    // eslint-disable-next-line no-control-regex
    expect(written()).not.toMatch(/[\r\x1b]/);
  });
});
