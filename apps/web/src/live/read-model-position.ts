import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, pathWith, request } from '../api/client';

/**
 * Where the read models stand for one topic, so that an open view can tell it is behind and ask
 * again. It follows the change feed (GET /feed?topicId=), which sends each change of the topic once
 * the read models reflect it; EventSource cannot send the key, so the stream is read with fetch.
 * A caller the feed refuses (it needs the analyst role) falls back to polling GET /health.
 */
const RECONNECT_MS = 3000;
const POLL_MS = 3000;

interface Health {
  details?: { projection?: { checkpoint?: string } };
}

/** Calls `onId` with the id (log position) of each event of the stream at `path`, until `signal` aborts or the stream ends. */
async function followIds(path: string, signal: AbortSignal, onId: (id: string) => void): Promise<void> {
  const response = await request(path, { accept: 'text/event-stream', signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    pending += value;
    const end = pending.lastIndexOf('\n\n');
    if (end === -1) continue;
    for (const match of pending.slice(0, end).matchAll(/^id: (\d+)$/gm)) onId(match[1]);
    pending = pending.slice(end + 2);
  }
}

export function useReadModelPosition(topicId: string): bigint | undefined {
  const [followed, setFollowed] = useState<bigint | undefined>();
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    let last: string | undefined;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          await followIds(pathWith('/feed', { topicId, after: last }), abort.signal, (id) => {
            last = id;
            setFollowed(BigInt(id));
          });
        } catch (error) {
          if (abort.signal.aborted) return;
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return setRefused(true);
        }
        // The stream ended or dropped: resume after the last change seen.
        await new Promise((resume) => setTimeout(resume, RECONNECT_MS));
      }
    })();
    return () => abort.abort();
  }, [topicId]);

  const polled = useQuery({
    queryKey: ['read-model-position'],
    queryFn: async () => ((await (await fetch('/health', { headers: { Accept: 'application/json' } })).json()) as Health).details?.projection?.checkpoint ?? null,
    enabled: refused,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  return followed ?? (polled.data ? BigInt(polled.data) : undefined);
}

/** True when the read models have moved past the position an answer reflects. */
export function isBehind(answerPosition: string | undefined, live: bigint | undefined): boolean {
  return answerPosition !== undefined && live !== undefined && live > BigInt(answerPosition);
}
