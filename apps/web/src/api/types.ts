/** The shapes of the API's answers the app reads (see the OpenAPI description at /docs). */
export type Stance = 'opposes' | 'skeptical' | 'undecided' | 'open' | 'supports';
export type Role = 'recorder' | 'analyst' | 'auditor' | 'admin';

export interface Me {
  principal: string;
  roles: Role[];
  via: 'key' | 'oidc';
}

export interface Topic {
  id: string;
  title: string;
  description: string;
  definedAt: string;
}

export interface Source {
  publisher: string;
  title: string | null;
  url: string | null;
  publishedOn: string | null;
  quote: string | null;
  speaker: string | null;
}

export interface StanceRow {
  topicId: string;
  stance: Stance;
  score: number;
  effectiveOn: string;
  headline: string;
  summary: string | null;
  conditions: string | null;
  commitment: string | null;
  source: Source;
  eventId: string;
  recordedAt: string;
  corrected: boolean;
  correctedBy: string[];
}

export interface MatrixRow extends StanceRow {
  country: string;
  countryName: string;
}

/** Every answer says what it was asked and which log position it reflects. */
export interface AnswerHead {
  knownAt: string;
  position: string;
}

export interface Matrix extends AnswerHead {
  topicId: string;
  on: string;
  countries: MatrixRow[];
  counts: Record<Stance, number>;
}

export interface CountryStances extends AnswerHead {
  country: string;
  countryName: string;
  on: string;
  stances: StanceRow[];
}

export interface Revision {
  eventId: string;
  kind: 'corrected' | 'retracted';
  recordedBy: string;
  reason: string;
  changes: Record<string, unknown> | null;
  recordedAt: string;
}

export interface TimelineEntry extends StanceRow {
  retracted: boolean;
  before: { stance: Stance; score: number; eventId: string; effectiveOn: string } | null;
  direction: string;
  revisions: Revision[];
  quote: string | null;
}

export interface Timeline extends AnswerHead {
  country: string;
  topicId: string;
  entries: TimelineEntry[];
}

export interface Shift {
  country: string;
  countryName: string;
  from: StanceRow | null;
  to: StanceRow | null;
  direction: string;
  events: StanceRow[];
}

export interface Shifts extends AnswerHead {
  topicId: string;
  from: string;
  to: string;
  shifts: Shift[];
}

export interface Receipt {
  eventId: string;
  stream: string;
  revision: string;
  position: string;
}

export interface LoggedEvent {
  position: string;
  stream: string;
  revision: string;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: { recordedAt: string; recordedBy: string; commandId: string; correlationId: string; causationId: string };
  hash: string;
  previousHash: string;
}

export interface HistoryPage {
  events: LoggedEvent[];
  nextAfterPosition: string | null;
}

export interface Provenance {
  record: LoggedEvent;
  corrections: LoggedEvent[];
  retraction: LoggedEvent | null;
  readModel: { position: string } & Record<string, unknown>;
}

export interface IntegrityReport {
  ok: boolean;
  verifiedAt: string;
  log: { head: string; eventsChecked: number; streams: number; chainsIntact: boolean; breaks: unknown[] };
  readModels: { position: string; rows: Record<string, number>; intact: boolean; mismatches: unknown[] };
}
