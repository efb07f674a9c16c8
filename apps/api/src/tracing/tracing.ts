// Imported first by main.ts: by relative path, not through @stance-ledger/platform, whose index
// would load pg (and more) before the instrumentations are registered.
import { startTracing } from '../../../../libs/platform/src/tracing/tracing';

export const tracing = startTracing({ serviceName: 'stance-ledger-api' });
