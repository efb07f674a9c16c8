/** What the API says when it refuses: its code and message, and the fields it names. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }
}

let credential: string | undefined;
const refusedListeners = new Set<(message: string) => void>();

/** The key every request carries from now on (undefined: none, for PUBLIC_READS). */
export function setCredential(key: string | undefined): void {
  credential = key;
}

/** Called when the API refuses the credential (401): the app asks to sign in again. */
export function onCredentialRefused(listener: (message: string) => void): () => void {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}

type Query = Record<string, string | undefined>;

export function pathWith(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function refusal(response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => undefined);
  const message = typeof body?.message === 'string' ? body.message : `${response.status} ${response.statusText}`;
  return new ApiError(response.status, typeof body?.code === 'string' ? body.code : 'error', message, Array.isArray(body?.errors) ? body.errors : []);
}

/** One request to the API, same origin, with the credential; a refusal becomes an ApiError. */
export async function request(path: string, init: RequestInit & { key?: string; accept?: string } = {}): Promise<Response> {
  const key = init.key ?? credential;
  const headers = new Headers(init.headers);
  headers.set('Accept', init.accept ?? 'application/json');
  if (key) headers.set('Authorization', `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers });
  if (response.ok) return response;
  const error = await refusal(response);
  if (response.status === 401 && key !== undefined && init.key === undefined) for (const listener of refusedListeners) listener(error.message);
  throw error;
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await request(pathWith(path, query))).json() as Promise<T>;
}

/** A command: JSON body, an Idempotency-Key so that a retried submission records once. */
export async function postJson<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  return (await request(path, { method: 'POST', body: JSON.stringify(body), headers })).json() as Promise<T>;
}

/** A random id for Idempotency-Key (crypto.randomUUID needs a secure context; plain HTTP on a LAN is not one). */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
