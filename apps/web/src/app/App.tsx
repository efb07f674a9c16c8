import type { ReactElement } from 'react';
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { AuditView } from '../views/AuditView';
import { CountryView } from '../views/CountryView';
import { RecordView } from '../views/RecordView';
import { ShiftsView } from '../views/ShiftsView';
import { TopicDayView } from '../views/TopicDayView';
import { TopicsView } from '../views/TopicsView';
import { NeedsRole } from '../ui/Problem';
import { SessionProvider, useSession } from './session';
import { SignIn } from './SignIn';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { session, has, canRead, signOut } = useSession();
  if (session.state === 'checking') return <p className="loading" role="status">Loading…</p>;
  if (session.state === 'signed-out') return <SignIn reason={session.reason} publicReads={session.publicReads} />;
  const principal = session.state === 'signed-in' ? session.me : undefined;
  const reader = (view: ReactElement) => (canRead ? view : <NeedsRole role="analyst" />);
  return (
    <>
      <header className="top">
        <a className="brand" href="/app/">
          Stance Ledger
        </a>
        <nav aria-label="Views">
          {canRead && <NavLink to="/topics">Topics</NavLink>}
          {has('recorder') && <NavLink to="/record">Record</NavLink>}
          {has('auditor') && <NavLink to="/audit">Audit</NavLink>}
        </nav>
        <div className="who">
          {principal ? (
            <>
              <span>
                {principal.principal} <small>({principal.roles.join(', ')})</small>
              </span>
              <button type="button" className="link" onClick={() => signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" className="link" onClick={() => signOut()}>
              Sign in
            </button>
          )}
        </div>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<Navigate to={canRead ? '/topics' : has('recorder') ? '/record' : '/audit'} replace />} />
          <Route path="/topics" element={reader(<TopicsView />)} />
          <Route path="/topics/:topicId" element={reader(<TopicDayView />)} />
          <Route path="/topics/:topicId/shifts" element={reader(<ShiftsView />)} />
          <Route path="/countries/:code" element={reader(<CountryView />)} />
          <Route path="/record" element={has('recorder') ? <RecordView /> : <NeedsRole role="recorder" />} />
          <Route path="/audit" element={has('auditor') ? <AuditView /> : <NeedsRole role="auditor" />} />
          <Route path="*" element={<p>There is no such page. <NavLink to="/">Start here</NavLink>.</p>} />
        </Routes>
      </main>
    </>
  );
}
