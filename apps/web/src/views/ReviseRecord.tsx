import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, postJson, randomId } from '../api/client';
import { rememberWrite } from '../api/queries';
import type { Receipt, TimelineEntry } from '../api/types';
import { REASON_MAX_LENGTH } from '../../../../libs/domain/src/stances/stance-limits';
import { Problem } from '../ui/Problem';
import { STANCES } from '../ui/stances';

/** A recorder corrects (here: the stance, conditions or commitment) or retracts a record, always with a reason. */
export function ReviseRecord({ country, entry }: { country: string; entry: TimelineEntry }) {
  const [mode, setMode] = useState<'correct' | 'retract'>();
  const [reason, setReason] = useState('');
  const [stance, setStance] = useState<string>(entry.stance);
  const [conditions, setConditions] = useState(entry.conditions ?? '');
  const [problem, setProblem] = useState<string>();
  const [refusal, setRefusal] = useState<unknown>();
  const [key] = useState(randomId);
  const queries = useQueryClient();
  const id = `revise-${entry.eventId}`;

  if (entry.retracted) return null;
  if (!mode) {
    return (
      <p className="actions">
        <button type="button" className="link" onClick={() => setMode('correct')}>
          Correct
        </button>{' '}
        <button type="button" className="link" onClick={() => setMode('retract')}>
          Retract
        </button>
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setRefusal(undefined);
    if (reason.trim() === '' || reason.length > REASON_MAX_LENGTH) return setProblem(`reason must be 1 to ${REASON_MAX_LENGTH} characters`);
    const body: Record<string, unknown> = { reason };
    if (mode === 'correct') {
      if (stance !== entry.stance) body.stance = stance;
      if (conditions !== (entry.conditions ?? '')) body.conditions = conditions === '' ? null : conditions;
      if (Object.keys(body).length === 1) return setProblem('Change the stance or the conditions, or cancel');
    }
    setProblem(undefined);
    try {
      const path = `/countries/${country}/stances/${entry.eventId}/${mode === 'correct' ? 'corrections' : 'retractions'}`;
      const receipt = await postJson<Receipt>(path, body, `${mode}-${entry.eventId}-${key}`);
      rememberWrite(receipt.position);
      setMode(undefined);
      setReason('');
      await queries.invalidateQueries();
    } catch (error) {
      if (error instanceof ApiError && error.errors.some((e) => e.field === 'reason')) setProblem(error.errors.find((e) => e.field === 'reason')!.message);
      else setRefusal(error);
    }
  };

  return (
    <form className="revise" onSubmit={submit} noValidate aria-label={mode === 'correct' ? 'Correct this record' : 'Retract this record'}>
      {mode === 'correct' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-stance`}>Corrected stance</label>
            <select id={`${id}-stance`} value={stance} onChange={(event) => setStance(event.target.value)}>
              {STANCES.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-conditions`}>Corrected conditions</label>
            <input id={`${id}-conditions`} value={conditions} onChange={(event) => setConditions(event.target.value)} />
          </div>
        </>
      )}
      <div className={`field${problem ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} value={reason} aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-problem` : undefined} onChange={(event) => setReason(event.target.value)} />
        {problem && (
          <p id={`${id}-problem`} className="field-problem" data-field="reason">
            {problem}
          </p>
        )}
      </div>
      <button type="submit">{mode === 'correct' ? 'Record the correction' : 'Retract the record'}</button>{' '}
      <button type="button" className="link" onClick={() => setMode(undefined)}>
        Cancel
      </button>
      {refusal !== undefined && <Problem error={refusal} />}
    </form>
  );
}
