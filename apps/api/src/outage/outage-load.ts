/**
 * A bounded load of appends and queries on the API, for the outage spec: writers record stances
 * with an Idempotency-Key and retry a command on 503 until it is acknowledged; readers ask the
 * analyst and audit questions. Every answer is kept (status, Retry-After, body, when), and every
 * request is abandoned after `answerWithinMs`: an abandoned one is a hang.
 */
export interface Answer {
  kind: 'write' | 'read' | 'probe';
  path: string;
  /** 0: no answer (abandoned after answerWithinMs, or the connection failed). */
  status: number;
  retryAfter: string | null;
  body: unknown;
  startedAt: number;
  endedAt: number;
  error?: string;
}

export interface Acknowledged {
  idempotencyKey: string;
  country: string;
  eventId: string;
  position: string;
  at: number;
}

export interface OutageLoadOptions {
  baseUrl: string;
  authorization: string;
  topicId: string;
  /** One writer per entry, writing that country's stances (the same country twice: two writers on one stream). */
  writers: readonly string[];
  /** One reader per entry: with the key, or without a credential (PUBLIC_READS), which no key check answers first. */
  readers: readonly ('key' | 'anonymous')[];
  answerWithinMs: number;
  /** Pause before a command is sent again after a 503 (shorter than Retry-After, to see the recovery soon). */
  retryPauseMs: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class OutageLoad {
  readonly answers: Answer[] = [];
  readonly acknowledged: Acknowledged[] = [];
  private stopping = false;
  private abandoned = false;
  private running: Promise<void>[] = [];

  constructor(private readonly options: OutageLoadOptions) {}

  start(): void {
    this.running = [
      ...this.options.writers.map((country, index) => this.write(index, country)),
      ...this.options.readers.map((credential, index) => this.read(index, credential)),
    ];
  }

  /** Stops sending new commands and queries; a command sent already is still retried until acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  /** Stops everything, retries included (a failed spec's clean-up). */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.stop();
  }

  async send(kind: Answer['kind'], method: string, path: string, extra: { body?: unknown; headers?: Record<string, string>; anonymous?: boolean } = {}): Promise<Answer> {
    const startedAt = Date.now();
    const answer: Answer = { kind, path, status: 0, retryAfter: null, body: undefined, startedAt, endedAt: startedAt };
    try {
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: { ...(extra.anonymous ? {} : { authorization: this.options.authorization }), ...(extra.body ? { 'content-type': 'application/json' } : {}), ...extra.headers },
        body: extra.body ? JSON.stringify(extra.body) : undefined,
        signal: AbortSignal.timeout(this.options.answerWithinMs),
      });
      answer.status = response.status;
      answer.retryAfter = response.headers.get('retry-after');
      const text = await response.text();
      answer.body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    } catch (error) {
      answer.error = String(error);
    }
    answer.endedAt = Date.now();
    this.answers.push(answer);
    return answer;
  }

  /** Acknowledgements of one writer at or after `since`. */
  acknowledgedSince(country: string, writer: number, since: number): number {
    return this.acknowledged.filter((ack) => ack.idempotencyKey.startsWith(`writer-${writer}-`) && ack.country === country && ack.at >= since).length;
  }

  private async write(writer: number, country: string): Promise<void> {
    for (let command = 0; !this.stopping; command++) {
      const idempotencyKey = `writer-${writer}-${command}`;
      const body = {
        topicId: this.options.topicId,
        stance: ['opposes', 'skeptical', 'undecided', 'open', 'supports'][command % 5],
        effectiveOn: '2026-01-06',
        headline: `Outage drill ${writer}-${command}`,
        source: { publisher: 'Drill Wire' },
      };
      for (;;) {
        const answer = await this.send('write', 'POST', `/countries/${country}/stances`, { body, headers: { 'idempotency-key': idempotencyKey } });
        if (answer.status === 201) {
          const receipt = answer.body as { eventId: string; position: string };
          this.acknowledged.push({ idempotencyKey, country, eventId: receipt.eventId, position: receipt.position, at: answer.endedAt });
          break;
        }
        // Anything but "unavailable, retry" ends this writer: the spec asserts there is nothing else.
        if (answer.status !== 503 || this.abandoned) return;
        await sleep(this.options.retryPauseMs);
      }
    }
  }

  private async read(reader: number, credential: 'key' | 'anonymous'): Promise<void> {
    const questions = [
      `/countries/ES/stances?on=2026-01-07`,
      `/topics/${this.options.topicId}/stances?on=2026-01-07`,
      `/countries/FR/timeline?topicId=${this.options.topicId}`,
      // The log itself, through the event store's pool (auditors only).
      ...(credential === 'key' ? [`/audit/events?limit=20`] : []),
    ];
    // A question about a country no writer has recorded yet is rightly 404: ask once each has one.
    while (!this.stopping && !this.options.writers.every((country) => this.acknowledged.some((ack) => ack.country === country))) await sleep(20);
    for (let n = reader; !this.stopping; n++) {
      await this.send('read', 'GET', questions[n % questions.length], { anonymous: credential === 'anonymous' });
      await sleep(20);
    }
  }
}
