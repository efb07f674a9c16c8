import { scaleLinear } from 'd3-scale';
import { Link, useParams, useSearchParams } from 'react-router';
import { useCountryStances, useTimeline, useTopics } from '../api/queries';
import type { TimelineEntry } from '../api/types';
import { countryName } from '../ui/countries';
import { addDays, dayNumber, isCalendarDate, todayUtc } from '../ui/dates';
import { Problem, QueryStatus } from '../ui/Problem';
import { STANCES, STANCE_COLOURS, scoreOf } from '../ui/stances';
import { useSession } from '../app/session';
import { ReviseRecord } from './ReviseRecord';
import { StanceBadge } from './StanceBadge';

export function CountryView() {
  const { code = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const on = isCalendarDate(params.get('on') ?? '') ? params.get('on')! : todayUtc();
  const knownAt = params.get('knownAt') ?? undefined;
  const topics = useTopics();
  const stances = useCountryStances(code.toUpperCase(), on, knownAt);
  const topicId = params.get('topicId') ?? stances.data?.stances[0]?.topicId ?? topics.data?.topics[0]?.id;
  const timeline = useTimeline(code.toUpperCase(), topicId, knownAt);
  const set = (name: string, value: string) => setParams((previous) => new URLSearchParams({ ...Object.fromEntries(previous), [name]: value }), { replace: true });
  const byTopic = new Map((stances.data?.stances ?? []).map((stance) => [stance.topicId, stance]));

  return (
    <section>
      <h1>{stances.data?.countryName ?? countryName(code.toUpperCase())}</h1>
      {stances.isError && <Problem error={stances.error} />}
      <div className="controls">
        <div className="field">
          <label htmlFor="country-day">Day</label>
          <input id="country-day" type="date" value={on} onChange={(event) => isCalendarDate(event.target.value) && set('on', event.target.value)} />
        </div>
        {stances.data && <p className="answer-head">Log position {stances.data.position}</p>}
      </div>
      {topics.data && (
        <div className="table-scroll">
        <table className="matrix">
          <caption>Every topic on {on}</caption>
          <thead>
            <tr>
              <th scope="col">Topic</th>
              <th scope="col">Stance</th>
              <th scope="col">Since</th>
              <th scope="col">Headline</th>
            </tr>
          </thead>
          <tbody>
            {topics.data.topics.map((topic) => {
              const stance = byTopic.get(topic.id);
              return (
                <tr key={topic.id} aria-current={topic.id === topicId ? 'true' : undefined}>
                  <th scope="row">
                    <Link to={`?on=${on}&topicId=${topic.id}`} replace>
                      {topic.title}
                    </Link>
                  </th>
                  <td>
                    <StanceBadge stance={stance?.stance ?? null} />
                  </td>
                  <td>{stance?.effectiveOn ?? '—'}</td>
                  <td>{stance?.headline ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
      {topicId && (
        <>
          <h2>
            Timeline: {topics.data?.topics.find((topic) => topic.id === topicId)?.title ?? topicId}{' '}
            <small>
              <Link to={`/topics/${topicId}?on=${on}`}>the whole map</Link>
            </small>
          </h2>
          <QueryStatus query={timeline} what="the timeline" />
          {timeline.data && <TimelineChart entries={timeline.data.entries} />}
          {timeline.data && <TimelineList country={code.toUpperCase()} entries={timeline.data.entries} />}
        </>
      )}
    </section>
  );
}

const W = 720;
const H = 220;
const M = { left: 90, right: 20, top: 16, bottom: 30 };

/** The score over effective dates, as steps; a ring marks a corrected record, a cross a retracted one. */
function TimelineChart({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p>No record for this topic.</p>;
  const days = entries.map((entry) => dayNumber(entry.effectiveOn));
  const start = Math.min(...days) - 1;
  const end = Math.max(Math.max(...days) + 2, Math.min(dayNumber(todayUtc()), Math.max(...days) + 7));
  const x = scaleLinear().domain([start, end]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([-2, 2]).range([H - M.bottom, M.top]);
  const standing = entries.filter((entry) => !entry.retracted);
  let d = '';
  standing.forEach((entry, index) => {
    const from = x(dayNumber(entry.effectiveOn));
    const to = index + 1 < standing.length ? x(dayNumber(standing[index + 1].effectiveOn)) : x(end);
    d += index === 0 ? `M${from},${y(entry.score)}H${to}` : `V${y(entry.score)}H${to}`;
  });
  return (
    <svg className="timeline" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Score over effective dates">
      {STANCES.map((stance) => (
        <g key={stance}>
          <line x1={M.left} x2={W - M.right} y1={y(scoreOf(stance))} y2={y(scoreOf(stance))} className="grid" />
          <text x={M.left - 8} y={y(scoreOf(stance)) + 4} textAnchor="end" className="axis">
            {stance}
          </text>
        </g>
      ))}
      <text x={x(start)} y={H - 8} className="axis">
        {addDaysFromNumber(start)}
      </text>
      <text x={x(end)} y={H - 8} textAnchor="end" className="axis">
        {addDaysFromNumber(end)}
      </text>
      <path d={d} className="steps" />
      {entries.map((entry) => {
        const cx = x(dayNumber(entry.effectiveOn));
        const cy = y(entry.score);
        return (
          <g key={entry.eventId}>
            <circle cx={cx} cy={cy} r={6} fill={entry.retracted ? '#fff' : STANCE_COLOURS[entry.stance].fill} stroke="#222" strokeDasharray={entry.retracted ? '2 2' : undefined}>
              <title>{`${entry.effectiveOn}: ${entry.stance} — ${entry.headline}`}</title>
            </circle>
            {entry.corrected && <circle cx={cx} cy={cy} r={10} fill="none" stroke="#7a3" strokeWidth={2} />}
            {entry.retracted && <path d={`M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx + 5},${cy - 5}L${cx - 5},${cy + 5}`} stroke="#b00" strokeWidth={2} />}
          </g>
        );
      })}
    </svg>
  );
}

const addDaysFromNumber = (n: number) => addDays('1970-01-01', n);

function TimelineList({ country, entries }: { country: string; entries: TimelineEntry[] }) {
  const { has } = useSession();
  return (
    <ol className="records">
      {entries.map((entry) => (
        <li key={entry.eventId} className={entry.retracted ? 'retracted' : undefined}>
          <p>
            <strong>{entry.effectiveOn}</strong> <StanceBadge stance={entry.stance} /> {entry.headline}
            {entry.retracted && <span className="mark">retracted</span>}
            {entry.corrected && <span className="mark">corrected</span>}
          </p>
          {entry.quote && (
            <blockquote>
              “{entry.quote}”{entry.source.speaker && <footer>— {entry.source.speaker}</footer>}
            </blockquote>
          )}
          <p className="meta">
            {entry.source.url ? <a href={entry.source.url} rel="noreferrer noopener" target="_blank">{entry.source.publisher}</a> : entry.source.publisher} · recorded{' '}
            {entry.recordedAt.slice(0, 16).replace('T', ' ')} UTC · direction {entry.direction}
          </p>
          {entry.revisions.map((revision) => (
            <p key={revision.eventId} className="revision">
              {revision.kind === 'corrected' ? 'Corrected' : 'Retracted'} {revision.recordedAt.slice(0, 16).replace('T', ' ')} UTC by {revision.recordedBy}: {revision.reason}
            </p>
          ))}
          {has('recorder') && <ReviseRecord country={country} entry={entry} />}
        </li>
      ))}
    </ol>
  );
}
