import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, onCredentialRefused, request, setCredential } from '../api/client';
import type { Me, Role } from '../api/types';

/** The key lives in this tab's sessionStorage only: closing the tab forgets it. */
const STORAGE = 'stance-ledger.api-key';

export type Session =
  | { state: 'checking' }
  | { state: 'signed-out'; reason?: string; publicReads: boolean }
  | { state: 'signed-in'; me: Me }
  | { state: 'public' };

interface SessionApi {
  session: Session;
  signIn(key: string): Promise<string | undefined>;
  signOut(reason?: string): void;
  has(role: Role): boolean;
  /** Reads are allowed: signed in, or PUBLIC_READS without a key. */
  canRead: boolean;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

async function whoIs(key: string): Promise<Me> {
  return (await request('/me', { key })).json() as Promise<Me>;
}

/** Whether the API answers reads without a credential (PUBLIC_READS=true). */
async function readsArePublic(): Promise<boolean> {
  const response = await fetch('/topics', { headers: { Accept: 'application/json' } });
  return response.ok;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const queries = useQueryClient();

  const signOut = useCallback(
    (reason?: string) => {
      sessionStorage.removeItem(STORAGE);
      setCredential(undefined);
      queries.clear();
      void readsArePublic().then((publicReads) => setSession({ state: 'signed-out', reason, publicReads }));
    },
    [queries],
  );

  const signIn = useCallback(async (key: string): Promise<string | undefined> => {
    try {
      const me = await whoIs(key);
      sessionStorage.setItem(STORAGE, key);
      setCredential(key);
      setSession({ state: 'signed-in', me });
      return undefined;
    } catch (error) {
      return error instanceof ApiError ? error.message : 'the API could not be reached';
    }
  }, []);

  useEffect(() => {
    const kept = sessionStorage.getItem(STORAGE);
    if (kept) {
      void signIn(kept).then((problem) => problem && signOut(problem));
    } else {
      void readsArePublic().then((publicReads) => setSession(publicReads ? { state: 'public' } : { state: 'signed-out', publicReads }));
    }
    return onCredentialRefused((message) => signOut(`Your key was refused: ${message}. Sign in again.`));
  }, [signIn, signOut]);

  const roles = session.state === 'signed-in' ? session.me.roles : [];
  const api: SessionApi = {
    session,
    signIn,
    signOut,
    has: (role) => roles.includes(role),
    canRead: session.state === 'public' || roles.includes('analyst'),
  };
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession outside SessionProvider');
  return api;
}
