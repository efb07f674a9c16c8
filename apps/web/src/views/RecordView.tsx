import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, postJson, randomId } from '../api/client';
import { rememberWrite, useTopics } from '../api/queries';
import type { Receipt } from '../api/types';
import {
  HEADLINE_MAX_LENGTH,
  QUALIFIER_MAX_LENGTH,
  QUOTE_MAX_LENGTH,
  SOURCE_PUBLISHER_MAX_LENGTH,
  SOURCE_SPEAKER_MAX_LENGTH,
  SOURCE_TITLE_MAX_LENGTH,
  SUMMARY_MAX_LENGTH,
} from '../../../../libs/domain/src/stances/stance-limits';
import { COUNTRIES, countryOfInput } from '../ui/countries';
import { isCalendarDate, todayUtc } from '../ui/dates';
import { Loading, Problem } from '../ui/Problem';
import { STANCES } from '../ui/stances';

type Fields = Record<string, string>;
const EMPTY: Fields = { country: '', topicId: '', stance: '', effectiveOn: '', headline: '', summary: '', conditions: '', commitment: '', publisher: '', title: '', url: '', publishedOn: '', quote: '', speaker: '' };

/** The API's field names (`source.publisher`, `code`) as this form's. */
const FORM_FIELD: Record<string, string> = { code: 'country', 'source.publisher': 'publisher', 'source.title': 'title', 'source.url': 'url', 'source.publishedOn': 'publishedOn', 'source.quote': 'quote', 'source.speaker': 'speaker', source: 'publisher' };

const tooLong = (value: string, max: number, name: string) => (value.length > max ? `${name} must be at most ${max} characters` : undefined);

/** The checks the API makes, made first here so that a person hears of them at once; the API still has the last word. */
function check(fields: Fields): Fields {
  const problems: Fields = {};
  const put = (name: string, problem: string | undefined) => problem && (problems[name] = problem);
  put('country', countryOfInput(fields.country) ? undefined : 'Pick a country from the list (a name or its ISO code)');
  put('topicId', fields.topicId ? undefined : 'Pick the topic');
  put('stance', STANCES.includes(fields.stance as never) ? undefined : `stance must be one of ${STANCES.join(', ')}`);
  put('effectiveOn', isCalendarDate(fields.effectiveOn) ? (fields.effectiveOn > todayUtc() ? 'effectiveOn must not be after today' : undefined) : 'effectiveOn must be a calendar date written YYYY-MM-DD');
  put('headline', fields.headline.trim() === '' ? 'headline should not be empty' : tooLong(fields.headline, HEADLINE_MAX_LENGTH, 'headline'));
  put('summary', tooLong(fields.summary, SUMMARY_MAX_LENGTH, 'summary'));
  put('conditions', tooLong(fields.conditions, QUALIFIER_MAX_LENGTH, 'conditions'));
  put('commitment', tooLong(fields.commitment, QUALIFIER_MAX_LENGTH, 'commitment'));
  put('publisher', fields.publisher.trim() === '' ? 'source.publisher should not be empty' : tooLong(fields.publisher, SOURCE_PUBLISHER_MAX_LENGTH, 'source.publisher'));
  put('title', tooLong(fields.title, SOURCE_TITLE_MAX_LENGTH, 'source.title'));
  put('url', fields.url === '' || /^https?:\/\/\S+$/.test(fields.url) ? undefined : 'source.url must be an http(s) URL');
  put('publishedOn', fields.publishedOn === '' || isCalendarDate(fields.publishedOn) ? undefined : 'source.publishedOn must be a calendar date written YYYY-MM-DD');
  put('quote', tooLong(fields.quote, QUOTE_MAX_LENGTH, 'source.quote'));
  put('speaker', tooLong(fields.speaker, SOURCE_SPEAKER_MAX_LENGTH, 'source.speaker'));
  return problems;
}

const optional = (value: string) => (value.trim() === '' ? undefined : value);

export function RecordView() {
  const topics = useTopics();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [problems, setProblems] = useState<Fields>({});
  const [refusal, setRefusal] = useState<unknown>();
  const [receipt, setReceipt] = useState<{ receipt: Receipt; country: string; topicId: string; on: string }>();
  const [busy, setBusy] = useState(false);
  const [idempotencyKey, setIdempotencyKey] = useState(randomId);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setRefusal(undefined);
    const found = check(fields);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(`record-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    const country = countryOfInput(fields.country)!.code;
    const body = {
      topicId: fields.topicId,
      stance: fields.stance,
      effectiveOn: fields.effectiveOn,
      headline: fields.headline,
      summary: optional(fields.summary),
      conditions: optional(fields.conditions),
      commitment: optional(fields.commitment),
      source: {
        publisher: fields.publisher,
        title: optional(fields.title),
        url: optional(fields.url),
        publishedOn: optional(fields.publishedOn),
        quote: optional(fields.quote),
        speaker: optional(fields.speaker),
      },
    };
    setBusy(true);
    try {
      const answer = await postJson<Receipt>(`/countries/${country}/stances`, body, idempotencyKey);
      rememberWrite(answer.position);
      setReceipt({ receipt: answer, country, topicId: fields.topicId, on: fields.effectiveOn });
      setFields(EMPTY);
      setIdempotencyKey(randomId());
    } catch (error) {
      if (error instanceof ApiError && error.errors.length > 0) {
        const named: Fields = {};
        for (const problem of error.errors) named[FORM_FIELD[problem.field] ?? problem.field] = problem.message;
        setProblems(named);
        if (Object.keys(named).some((name) => !(name in EMPTY))) setRefusal(error);
        document.getElementById(`record-${Object.keys(named)[0]}`)?.focus();
      } else setRefusal(error);
    } finally {
      setBusy(false);
    }
  };

  const input = (name: string, label: string, options: { type?: string; required?: boolean; multiline?: boolean; list?: string; placeholder?: string } = {}) => {
    const id = `record-${name}`;
    const problem = problems[name];
    const common = {
      id,
      name,
      value: fields[name],
      'aria-invalid': problem ? true : undefined,
      'aria-describedby': problem ? `${id}-problem` : undefined,
      onChange: (event: { target: { value: string } }) => setFields({ ...fields, [name]: event.target.value }),
    };
    return (
      <div className={`field${problem ? ' invalid' : ''}`}>
        <label htmlFor={id}>
          {label}
          {options.required && <span aria-hidden="true"> *</span>}
        </label>
        {options.multiline ? <textarea rows={3} {...common} /> : <input type={options.type ?? 'text'} list={options.list} placeholder={options.placeholder} {...common} />}
        {problem && (
          <p id={`${id}-problem`} className="field-problem" data-field={name}>
            {problem}
          </p>
        )}
      </div>
    );
  };

  if (topics.isPending) return <Loading what="the topics" />;
  if (topics.isError) return <Problem error={topics.error} />;
  return (
    <section>
      <h1>Record a stance</h1>
      {receipt && (
        <p className="done" role="status">
          Recorded at log position {receipt.receipt.position}.{' '}
          <Link to={`/topics/${receipt.topicId}?on=${receipt.on}`}>See it on the map</Link> ·{' '}
          <Link to={`/countries/${receipt.country}?on=${receipt.on}&topicId=${receipt.topicId}`}>the country's timeline</Link>
        </p>
      )}
      {refusal !== undefined && <Problem error={refusal} />}
      <form className="record" onSubmit={submit} noValidate>
        <fieldset>
          <legend>The stance</legend>
          {input('country', 'Country', { required: true, list: 'countries', placeholder: 'Type a name or code' })}
          <datalist id="countries">
            {COUNTRIES.map((country) => (
              <option key={country.code} value={`${country.name} (${country.code})`} />
            ))}
          </datalist>
          <div className={`field${problems.topicId ? ' invalid' : ''}`}>
            <label htmlFor="record-topicId">
              Topic<span aria-hidden="true"> *</span>
            </label>
            <select id="record-topicId" value={fields.topicId} aria-invalid={problems.topicId ? true : undefined} aria-describedby={problems.topicId ? 'record-topicId-problem' : undefined} onChange={(event) => setFields({ ...fields, topicId: event.target.value })}>
              <option value="">Choose…</option>
              {topics.data.topics.map((topic) => (
                <option key={topic.id} value={topic.id}>
                  {topic.title}
                </option>
              ))}
            </select>
            {problems.topicId && <p id="record-topicId-problem" className="field-problem" data-field="topicId">{problems.topicId}</p>}
          </div>
          <div className={`field${problems.stance ? ' invalid' : ''}`}>
            <label htmlFor="record-stance">
              Stance<span aria-hidden="true"> *</span>
            </label>
            <select id="record-stance" value={fields.stance} aria-invalid={problems.stance ? true : undefined} aria-describedby={problems.stance ? 'record-stance-problem' : undefined} onChange={(event) => setFields({ ...fields, stance: event.target.value })}>
              <option value="">Choose…</option>
              {STANCES.map((stance) => (
                <option key={stance} value={stance}>
                  {stance}
                </option>
              ))}
            </select>
            {problems.stance && <p id="record-stance-problem" className="field-problem" data-field="stance">{problems.stance}</p>}
          </div>
          {input('effectiveOn', 'Effective on', { type: 'date', required: true })}
          {input('headline', 'Headline', { required: true })}
          {input('summary', 'Summary', { multiline: true })}
          {input('conditions', 'Conditions')}
          {input('commitment', 'Commitment')}
        </fieldset>
        <fieldset>
          <legend>The source</legend>
          {input('publisher', 'Publisher', { required: true })}
          {input('title', 'Title')}
          {input('url', 'URL', { type: 'url', placeholder: 'https://' })}
          {input('publishedOn', 'Published on', { type: 'date' })}
          {input('quote', 'Quote', { multiline: true })}
          {input('speaker', 'Speaker')}
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? 'Recording…' : 'Record'}
        </button>
      </form>
    </section>
  );
}
