import { Link, useParams, useSearchParams } from 'react-router';
import { useShifts, useTopic } from '../api/queries';
import { addDays, isCalendarDate, todayUtc } from '../ui/dates';
import { QueryStatus } from '../ui/Problem';
import { StanceBadge } from './StanceBadge';

export function ShiftsView() {
  const { topicId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const to = isCalendarDate(params.get('to') ?? '') ? params.get('to')! : todayUtc();
  const from = isCalendarDate(params.get('from') ?? '') ? params.get('from')! : addDays(to, -7);
  const knownAt = params.get('knownAt') ?? undefined;
  const topic = useTopic(topicId);
  const shifts = useShifts(topicId, from, to, knownAt);
  const set = (name: string, value: string) => setParams((previous) => new URLSearchParams({ ...Object.fromEntries(previous), [name]: value }), { replace: true });
  return (
    <section>
      <h1>Who moved: {topic.data?.title ?? topicId}</h1>
      <div className="controls">
        <div className="field">
          <label htmlFor="shifts-from">From</label>
          <input id="shifts-from" type="date" value={from} onChange={(event) => isCalendarDate(event.target.value) && set('from', event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="shifts-to">To</label>
          <input id="shifts-to" type="date" value={to} onChange={(event) => isCalendarDate(event.target.value) && set('to', event.target.value)} />
        </div>
        {shifts.data && <p className="answer-head">Log position {shifts.data.position}</p>}
      </div>
      <QueryStatus query={shifts} what="the shifts" />
      {shifts.data && shifts.data.shifts.length === 0 && <p>No country changed its stance between these days.</p>}
      {shifts.data && shifts.data.shifts.length > 0 && (
        <div className="table-scroll">
        <table className="matrix">
          <caption>
            Changes between {from} and {to}
          </caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Direction</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {shifts.data.shifts.map((shift) => (
              <tr key={shift.country} data-country={shift.country}>
                <th scope="row">
                  <Link to={`/countries/${shift.country}?on=${to}&topicId=${topicId}`}>{shift.countryName}</Link>
                </th>
                <td>
                  <StanceBadge stance={shift.from?.stance ?? null} />
                </td>
                <td>
                  <StanceBadge stance={shift.to?.stance ?? null} />
                </td>
                <td>{shift.direction.replace('-', ' ')}</td>
                <td>
                  {shift.events.map((event) => (
                    <div key={event.eventId}>
                      {event.effectiveOn}: {event.headline}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
