import { useQuery } from '@tanstack/react-query';

/**
 * Where the read models stand in the log, so that an open view can tell it is behind and ask again.
 * Polls GET /health (public) until the change feed (GET /feed) is there to replace this module;
 * the views only read `useReadModelPosition()`.
 */
const POLL_MS = 3000;

interface Health {
  info?: { projection?: { checkpoint?: string } };
  details?: { projection?: { checkpoint?: string } };
}

export function useReadModelPosition(): bigint | undefined {
  const { data } = useQuery({
    queryKey: ['read-model-position'],
    queryFn: async () => {
      const response = await fetch('/health', { headers: { Accept: 'application/json' } });
      const body = (await response.json()) as Health;
      return body.details?.projection?.checkpoint ?? body.info?.projection?.checkpoint ?? null;
    },
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  return data ? BigInt(data) : undefined;
}

/** True when the read models have moved past the position an answer reflects. */
export function isBehind(answerPosition: string | undefined, live: bigint | undefined): boolean {
  return answerPosition !== undefined && live !== undefined && live > BigInt(answerPosition);
}
