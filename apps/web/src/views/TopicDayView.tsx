import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useMatrix, useTopic, useTopicHistory } from '../api/queries';
import type { MatrixRow, Stance } from '../api/types';
import { isBehind, useReadModelPosition } from '../live/read-model-position';
import { addDays, dayNumber, dayOfNumber, formatInstant, inputToInstant, instantToInput, isCalendarDate, todayUtc } from '../ui/dates';
import { Problem, QueryStatus } from '../ui/Problem';
import { NO_STANCE_FILL, STANCES, STANCE_COLOURS } from '../ui/stances';
import { WorldMap } from './WorldMap';
import { StanceBadge } from './StanceBadge';

const CSV_COLUMNS = ['country', 'countryName', 'stance', 'score', 'effectiveOn', 'headline', 'conditions', 'commitment', 'corrected', 'publisher', 'url', 'recordedAt', 'eventId'];

/** A cell a spreadsheet would not run as a formula (the API's CSV does the same). */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvOf(rows: MatrixRow[], head: string): string {
  const lines = rows.map((row) =>
    [row.country, row.countryName, row.stance, row.score, row.effectiveOn, row.headline, row.conditions, row.commitment, row.corrected, row.source.publisher, row.source.url, row.recordedAt, row.eventId]
      .map(csvCell)
      .join(','),
  );
  return `# ${head}\n${CSV_COLUMNS.join(',')}\n${lines.join('\n')}\n`;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function TopicDayView() {
  const { topicId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const today = todayUtc();
  const asked = isCalendarDate(params.get('on') ?? '') ? params.get('on')! : today;
  // The slider's day is the page's own state, written to the URL after it: a quick run of key presses or a drag never waits for the router.
  const [on, setOn] = useState(asked);
  useEffect(() => setOn(asked), [asked]);
  const knownAt = params.get('knownAt') ?? undefined;
  const topic = useTopic(topicId);
  const history = useTopicHistory(topicId, today);
  const matrix = useMatrix(topicId, on, knownAt);
  const live = useReadModelPosition(topicId);
  const queries = useQueryClient();

  const set = (name: string, value: string | undefined) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  // Live: an answer "as known now" behind the read models is asked again, and the page says so.
  const behind = !knownAt && isBehind(matrix.data?.position, live);
  const updatedFrom = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (behind && matrix.data && !matrix.isFetching) {
      updatedFrom.current = matrix.data.position;
      void queries.invalidateQueries({ queryKey: ['matrix', topicId] });
      void queries.invalidateQueries({ queryKey: ['topic-history', topicId] });
    }
  }, [behind, matrix.data, matrix.isFetching, queries, topicId]);

  // The slider runs over the days the topic's records took effect, a day either side, and today.
  const [first, last] = useMemo(() => {
    const days = (history.data?.shifts ?? []).flatMap((shift) => shift.events.map((event) => event.effectiveOn));
    days.push(on);
    const sorted = days.sort();
    return [addDays(sorted[0], -1), sorted[sorted.length - 1] > today ? sorted[sorted.length - 1] : addDays(sorted[sorted.length - 1], 2) > today ? today : addDays(sorted[sorted.length - 1], 2)];
  }, [history.data, on, today]);

  const stances = useMemo(() => new Map<string, Stance>((matrix.data?.countries ?? []).map((row) => [row.country, row.stance])), [matrix.data]);
  const answerKey = matrix.data ? `${matrix.data.on}:${knownAt ?? ''}:${matrix.data.position}` : undefined;

  // The redraw time: from the answer's arrival to after the frame that paints it (the task after the animation frame).
  useLayoutEffect(() => {
    if (!matrix.data || matrix.isPlaceholderData) return;
    const mark = `matrix-answer:${matrix.data.on}:${knownAt ?? ''}`;
    requestAnimationFrame(() => setTimeout(() => {
      if (performance.getEntriesByName(mark, 'mark').length === 0) return;
      performance.measure('matrix-redraw', { start: mark, detail: { on: matrix.data.on, rows: matrix.data.countries.length } });
      performance.clearMarks(mark);
    }));
  }, [answerKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const title = topic.data?.title ?? topicId;
  const knownAtLabel = knownAt ? formatInstant(knownAt) : 'now';

  return (
    <section className="topic-day">
      <h1>{title}</h1>
      {topic.isError && <Problem error={topic.error} />}
      <p className="lede">
        Where each country stood on <strong>{on}</strong>, as known {knownAt ? 'at' : ''} <strong>{knownAtLabel}</strong>.{' '}
        <Link to={`/topics/${topicId}/shifts?from=${addDays(on, -7)}&to=${on}`}>Who moved in the week before</Link>
      </p>

      <div className="controls">
        <div className="field day">
          <label htmlFor="day-slider">Day</label>
          <input
            id="day-slider"
            type="range"
            min={dayNumber(first)}
            max={dayNumber(last)}
            step={1}
            value={dayNumber(on)}
            aria-valuetext={on}
            onChange={(event) => {
              const day = dayOfNumber(Number(event.target.value));
              // An answer already cached is there now: the redraw is timed from here.
              if (queries.getQueryData(['matrix', topicId, day, knownAt ?? null])) performance.mark(`matrix-answer:${day}:${knownAt ?? ''}`);
              setOn(day);
              set('on', day);
            }}
          />
          <input aria-label="Day (date)" type="date" value={on} max={today} onChange={(event) => isCalendarDate(event.target.value) && set('on', event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="known-at">As known at (UTC)</label>
          <input
            id="known-at"
            type="datetime-local"
            value={knownAt ? instantToInput(knownAt) : ''}
            onChange={(event) => set('knownAt', inputToInstant(event.target.value))}
          />
          {knownAt && (
            <button type="button" className="link" onClick={() => set('knownAt', undefined)}>
              Now
            </button>
          )}
        </div>
        <button
          type="button"
          disabled={!matrix.data}
          onClick={() =>
            matrix.data &&
            download(
              `${topicId}-${on}${knownAt ? `-known-${knownAt.replace(/:/g, '')}` : ''}.csv`,
              csvOf(matrix.data.countries, `${topicId} on ${matrix.data.on} as known at ${matrix.data.knownAt}, log position ${matrix.data.position}`),
            )
          }
        >
          Download CSV
        </button>
      </div>

      <QueryStatus query={matrix} what="the stances" />
      {matrix.data && (
        <>
          <p className="answer-head" aria-live="polite">
            <span data-testid="position">Log position {matrix.data.position}</span> · answered for {matrix.data.on} as known at {formatInstant(matrix.data.knownAt)}
            {matrix.isFetching && <span className="busy"> · updating…</span>}
            {updatedFrom.current && !matrix.isFetching && <span className="live"> · updated live from position {updatedFrom.current}</span>}
          </p>
          <ul className="counts" aria-label="Counts">
            {STANCES.map((stance) => (
              <li key={stance}>
                <span className="swatch" style={{ background: STANCE_COLOURS[stance].fill }} aria-hidden="true" />
                {stance} <strong data-testid={`count-${stance}`}>{matrix.data.counts[stance] ?? 0}</strong>
              </li>
            ))}
            <li>
              <span className="swatch" style={{ background: NO_STANCE_FILL }} aria-hidden="true" />
              no stance
            </li>
          </ul>
          <WorldMap stances={stances} label={`Map of stances on ${matrix.data.on}`} />
          <MatrixTable rows={matrix.data.countries} on={on} />
        </>
      )}
    </section>
  );
}

function MatrixTable({ rows, on }: { rows: MatrixRow[]; on: string }) {
  if (rows.length === 0) return <p>No country had a stance on this day, as known then.</p>;
  return (
    <div className="table-scroll">
      <table className="matrix">
        <caption>Stances on {on}</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col">Stance</th>
            <th scope="col">Since</th>
            <th scope="col">Headline</th>
            <th scope="col">Conditions</th>
            <th scope="col">Commitment</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.country} data-country={row.country}>
              <th scope="row">
                <Link to={`/countries/${row.country}?on=${on}&topicId=${row.topicId}`}>{row.countryName}</Link>
              </th>
              <td>
                <StanceBadge stance={row.stance} />
                {row.corrected && (
                  <span className="mark" title={`Corrected by ${row.correctedBy.join(', ')}`}>
                    corrected
                  </span>
                )}
              </td>
              <td>{row.effectiveOn}</td>
              <td>{row.headline}</td>
              <td>{row.conditions ?? '—'}</td>
              <td>{row.commitment ?? '—'}</td>
              <td>{row.source.url ? <a href={row.source.url} rel="noreferrer noopener" target="_blank">{row.source.publisher}</a> : row.source.publisher}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
