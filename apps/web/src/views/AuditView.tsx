import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, getJson } from '../api/client';
import type { HistoryPage, IntegrityReport, LoggedEvent } from '../api/types';
import { formatInstant } from '../ui/dates';
import { Loading, Problem, QueryStatus } from '../ui/Problem';

const PAGE = 50;
const short = (hash: string) => `${hash.slice(0, 10)}…`;

export function AuditView() {
  const [params, setParams] = useSearchParams();
  const filters = { stream: params.get('stream') ?? '', type: params.get('type') ?? '', recordedFrom: params.get('recordedFrom') ?? '', recordedTo: params.get('recordedTo') ?? '' };
  const afterPosition = params.get('afterPosition') ?? undefined;
  const history = useQuery({
    queryKey: ['audit-events', filters, afterPosition],
    queryFn: () => getJson<HistoryPage>('/audit/events', { ...filters, afterPosition, limit: String(PAGE) }),
    placeholderData: keepPreviousData,
  });
  const integrity = useQuery({
    queryKey: ['audit-integrity'],
    queryFn: () => getJson<IntegrityReport>('/audit/integrity').catch((error) => (error instanceof ApiError && error.status === 404 ? null : Promise.reject(error))),
  });
  const [draft, setDraft] = useState(filters);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(draft)) if (value.trim()) next.set(name, value.trim());
    setParams(next);
  };
  const [provenanceOf, setProvenanceOf] = useState<string>();

  return (
    <section>
      <h1>Audit: the history</h1>
      <IntegrityPanel report={integrity.data} error={integrity.error} pending={integrity.isPending} />
      <form className="controls" onSubmit={apply}>
        {(['stream', 'type'] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`audit-${name}`}>{name === 'stream' ? 'Stream' : 'Event type'}</label>
            <input id={`audit-${name}`} value={draft[name]} placeholder={name === 'stream' ? 'country-ES' : 'StanceRecorded'} onChange={(event) => setDraft({ ...draft, [name]: event.target.value })} />
          </div>
        ))}
        {(['recordedFrom', 'recordedTo'] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`audit-${name}`}>{name === 'recordedFrom' ? 'Recorded from (ISO instant)' : 'Recorded to (ISO instant)'}</label>
            <input id={`audit-${name}`} value={draft[name]} placeholder="2026-01-06T00:00:00Z" onChange={(event) => setDraft({ ...draft, [name]: event.target.value })} />
          </div>
        ))}
        <button type="submit">Filter</button>
      </form>
      <QueryStatus query={history} what="the history" />
      {history.data && <EventsTable events={history.data.events} onProvenance={setProvenanceOf} />}
      {history.data && (
        <p className="pager">
          {afterPosition && (
            <button type="button" onClick={() => setParams((previous) => { const next = new URLSearchParams(previous); next.delete('afterPosition'); return next; })}>
              First page
            </button>
          )}
          {history.data.nextAfterPosition && (
            <button type="button" onClick={() => setParams((previous) => { const next = new URLSearchParams(previous); next.set('afterPosition', history.data.nextAfterPosition!); return next; })}>
              Next page
            </button>
          )}
        </p>
      )}
      {provenanceOf && <ProvenancePanel eventId={provenanceOf} />}
    </section>
  );
}

function IntegrityPanel({ report, error, pending }: { report: IntegrityReport | null | undefined; error: unknown; pending: boolean }) {
  if (pending) return <Loading what="the last integrity report" />;
  if (error) return <Problem error={error} />;
  if (!report) return <p className="panel">No verification has run yet (<code>npm run cli -- verify</code>).</p>;
  return (
    <p className={`panel ${report.ok ? 'ok' : 'bad'}`} data-testid="integrity">
      Last verification {formatInstant(report.verifiedAt)}: {report.ok ? 'everything holds' : 'MISMATCHES FOUND'} — {report.log.eventsChecked} events in {report.log.streams} streams,
      chains {report.log.chainsIntact ? 'intact' : 'broken'}, read models {report.readModels.intact ? 'equal to a rebuild' : 'differ from a rebuild'}.
    </p>
  );
}

function EventsTable({ events, onProvenance }: { events: LoggedEvent[]; onProvenance: (eventId: string) => void }) {
  // On this page, each event whose predecessor in its stream is here too: does it name that one's hash?
  const lastHash = new Map<string, string>();
  const links = events.map((event) => {
    const previous = lastHash.get(event.stream);
    lastHash.set(event.stream, event.hash);
    return event.revision === '0' ? (/^0+$/.test(event.previousHash) ? 'genesis' : 'broken') : previous === undefined ? 'earlier page' : previous === event.previousHash ? 'linked' : 'broken';
  });
  if (events.length === 0) return <p>No event matches these filters on this stretch of the log.</p>;
  return (
    <div className="table-scroll">
      <table className="matrix audit">
        <caption>Events in log order</caption>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Stream / revision</th>
            <th scope="col">Type</th>
            <th scope="col">Recorded</th>
            <th scope="col">By</th>
            <th scope="col">Hash</th>
            <th scope="col">Previous hash</th>
            <th scope="col">Chain</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event, index) => (
            <tr key={event.eventId}>
              <td>{event.position}</td>
              <td>
                {event.stream} / {event.revision}
              </td>
              <td>
                {event.type === 'StanceRecorded' ? (
                  <button type="button" className="link" onClick={() => onProvenance(event.eventId)}>
                    {event.type}
                  </button>
                ) : (
                  event.type
                )}
              </td>
              <td>{formatInstant(event.metadata.recordedAt)}</td>
              <td>{event.metadata.recordedBy}</td>
              <td>
                <code title={event.hash}>{short(event.hash)}</code>
              </td>
              <td>
                <code title={event.previousHash}>{short(event.previousHash)}</code>
              </td>
              <td data-chain={links[index]}>{links[index]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProvenancePanel({ eventId }: { eventId: string }) {
  const provenance = useQuery({ queryKey: ['provenance', eventId], queryFn: () => getJson<Record<string, unknown>>(`/audit/stances/${eventId}`) });
  return (
    <section className="panel" aria-label="Provenance">
      <h2>Provenance of {eventId}</h2>
      <QueryStatus query={provenance} what="the provenance" />
      {provenance.data && <pre>{JSON.stringify(provenance.data, null, 2)}</pre>}
    </section>
  );
}
