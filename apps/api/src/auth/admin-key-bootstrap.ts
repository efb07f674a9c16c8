import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AccessKeys, commandContext } from '@stance-ledger/application';
import { AppConfig } from '@stance-ledger/platform';

/** Who issued the first admin key, as the access-keys stream records it. */
export const BOOTSTRAP_PRINCIPAL = 'stance-ledger bootstrap';

/**
 * A store without keys gets one admin key on the first start: BOOTSTRAP_ADMIN_KEY when set (an
 * automated deployment chose it), else a generated one written to DATA_DIR/admin.key (0600).
 * Without it no one could issue the keys everyone else needs.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly keys: AccessKeys,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const chosen = this.config.BOOTSTRAP_ADMIN_KEY;
    const issued = await this.keys.issue({ name: 'admin', roles: ['admin'] }, commandContext({ recordedBy: BOOTSTRAP_PRINCIPAL }), {
      secret: chosen,
      onlyIfNone: true,
    });
    if (!issued) return;
    if (chosen) {
      this.logger.log(`the store had no access key: BOOTSTRAP_ADMIN_KEY is now the admin key (id ${issued.id})`);
      return;
    }
    const dataDir = resolve(this.config.DATA_DIR);
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'admin.key');
    writeFileSync(file, `${issued.key}\n`, { mode: 0o600 });
    this.logger.warn(`the store had no access key: an admin key was created and written to ${file} (mode 0600); use it to issue the others (POST /admin/keys)`);
  }
}
