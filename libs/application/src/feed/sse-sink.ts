import type { ServerResponse } from 'node:http';
import type { FeedSink } from './change-feed';
import type { FeedChange } from './feed-change';

/** One change as an SSE event, written once however many followers it goes to. */
const frames = new WeakMap<FeedChange, string>();

export function sseFrameOf(change: FeedChange): string {
  let frame = frames.get(change);
  if (frame === undefined) {
    frame = `id: ${change.position}\nevent: stance\ndata: ${JSON.stringify(change)}\n\n`;
    frames.set(change, frame);
  }
  return frame;
}

const WRITE_BYTES = 16 * 1024;

/**
 * A follower on the response of GET /feed. What the client has not read waits in the
 * response's buffer; once it passes `bufferBytes` the connection is dropped, so one stalled
 * client costs at most about that much memory (EventSource reconnects with Last-Event-ID).
 */
export class SseSink implements FeedSink {
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly bufferBytes: number,
    private readonly onSlow: () => void,
  ) {
    response.on('close', () => {
      this.ended = true;
    });
  }

  get closed(): boolean {
    return this.ended || this.response.destroyed;
  }

  /** The bytes written that the client has not taken yet. */
  get buffered(): number {
    return this.response.writableLength;
  }

  send(changes: readonly FeedChange[]): void {
    // Frames go out in writes of about WRITE_BYTES: few system calls, and the bound is checked between them.
    let chunk = '';
    for (const change of changes) {
      chunk += sseFrameOf(change);
      if (chunk.length >= WRITE_BYTES) {
        this.write(chunk);
        chunk = '';
      }
    }
    if (chunk) this.write(chunk);
  }

  heartbeat(): void {
    this.write(': heartbeat\n\n');
  }

  drained(): Promise<void> {
    if (this.closed || !this.response.writableNeedDrain) return Promise.resolve();
    return new Promise((done) => {
      const finish = () => {
        this.response.off('drain', finish);
        this.response.off('close', finish);
        done();
      };
      this.response.on('drain', finish);
      this.response.on('close', finish);
    });
  }

  close(why: 'shutdown' | 'error'): void {
    if (this.closed) return;
    this.ended = true;
    // A client that has not read what is buffered would hold the server's close open: drop it.
    if (why === 'error' || this.response.writableLength > 0) this.response.destroy();
    else this.response.end();
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.response.writableLength > this.bufferBytes) {
      this.ended = true;
      this.onSlow();
      this.response.destroy();
      return;
    }
    this.response.write(text);
  }
}
