import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getJson } from './client';
import type { CountryStances, Matrix, Shifts, Timeline, Topic } from './types';

/** The position of this tab's last write: reads ask for it (minPosition), so a recorder sees what they recorded. */
let lastWrite: string | undefined;
export const rememberWrite = (position: string) => {
  if (lastWrite === undefined || BigInt(position) > BigInt(lastWrite)) lastWrite = position;
};
const seen = () => lastWrite;

export const useTopics = () =>
  useQuery({ queryKey: ['topics'], queryFn: () => getJson<{ position: string; topics: Topic[] }>('/topics', { minPosition: seen() }) });

export const useTopic = (topicId: string) => useQuery({ queryKey: ['topic', topicId], queryFn: () => getJson<Topic>(`/topics/${encodeURIComponent(topicId)}`) });

export const useMatrix = (topicId: string, on: string, knownAt: string | undefined) =>
  useQuery({
    queryKey: ['matrix', topicId, on, knownAt ?? null],
    queryFn: async () => {
      const answer = await getJson<Matrix>(`/topics/${encodeURIComponent(topicId)}/stances`, { on, knownAt, minPosition: seen() });
      performance.mark(`matrix-answer:${on}:${knownAt ?? ''}`);
      return answer;
    },
    // While the next day's answer comes, the map keeps showing the last one (no flash of empty).
    placeholderData: keepPreviousData,
  });

/** Every record of the topic's history, for the day slider's range: shifts from the first possible day. */
export const useTopicHistory = (topicId: string, today: string) =>
  useQuery({
    queryKey: ['topic-history', topicId, today],
    queryFn: () => getJson<Shifts>(`/topics/${encodeURIComponent(topicId)}/shifts`, { from: '1900-01-01', to: today, minPosition: seen() }),
  });

export const useShifts = (topicId: string, from: string, to: string, knownAt: string | undefined) =>
  useQuery({
    queryKey: ['shifts', topicId, from, to, knownAt ?? null],
    queryFn: () => getJson<Shifts>(`/topics/${encodeURIComponent(topicId)}/shifts`, { from, to, knownAt, minPosition: seen() }),
    placeholderData: keepPreviousData,
  });

export const useCountryStances = (code: string, on: string, knownAt: string | undefined) =>
  useQuery({
    queryKey: ['country', code, on, knownAt ?? null],
    queryFn: () => getJson<CountryStances>(`/countries/${encodeURIComponent(code)}/stances`, { on, knownAt, minPosition: seen() }),
    placeholderData: keepPreviousData,
  });

export const useTimeline = (code: string, topicId: string | undefined, knownAt: string | undefined) =>
  useQuery({
    queryKey: ['timeline', code, topicId, knownAt ?? null],
    enabled: topicId !== undefined,
    queryFn: () =>
      getJson<Timeline>(`/countries/${encodeURIComponent(code)}/timeline`, { topicId, knownAt, includeRetracted: 'true', minPosition: seen() }),
  });
