import { useState, type FormEvent } from 'react';
import { useSession } from './session';

export function SignIn({ reason, publicReads }: { reason?: string; publicReads: boolean }) {
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | undefined>(reason);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() === '') return setProblem('Enter the API key you were given.');
    setBusy(true);
    const refused = await signIn(key.trim());
    setBusy(false);
    if (refused) setProblem(`Your key was refused: ${refused}`);
  };

  return (
    <main className="sign-in">
      <h1>Stance Ledger</h1>
      <p>Where every country stands on a question, on any day, as known at any time.</p>
      <form onSubmit={submit} noValidate aria-describedby={problem ? 'sign-in-problem' : undefined}>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {problem && (
          <p id="sign-in-problem" className="problem" role="alert">
            {problem}
          </p>
        )}
        <p className="hint">The key is kept in this tab only, until you close it. {publicReads && 'Reading needs no key on this server; recording and auditing do.'}</p>
      </form>
    </main>
  );
}
