import { ApiError } from '../api/client';
import { useSession } from '../app/session';

/** What went wrong, in the API's words: 403 names the missing role; 401 has already asked to sign in again. */
export function Problem({ error }: { error: unknown }) {
  if (error instanceof ApiError) {
    const role = error.status === 403 ? /needs the role '([a-z]+)'/.exec(error.message)?.[1] : undefined;
    return (
      <div className="problem" role="alert">
        {role ? <strong>This needs the role “{role}”. </strong> : <strong>{error.status === 404 ? 'Not found. ' : 'The API refused: '}</strong>}
        {error.message}
      </div>
    );
  }
  return (
    <div className="problem" role="alert">
      <strong>The API could not be reached. </strong>
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

export function NeedsRole({ role }: { role: string }) {
  const { session } = useSession();
  const who = session.state === 'signed-in' ? `${session.me.principal} holds ${session.me.roles.join(', ') || 'no role'}` : 'you are not signed in';
  return (
    <div className="problem" role="alert">
      <strong>This view needs the role “{role}”.</strong> {who}: ask an admin for a key with that role.
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** A query's state while it has no answer: loading, or what went wrong. Renders nothing once answered. */
export function QueryStatus({ query, what }: { query: { isPending: boolean; isError: boolean; error: unknown }; what: string }) {
  if (query.isError) return <Problem error={query.error} />;
  if (query.isPending) return <Loading what={what} />;
  return null;
}
