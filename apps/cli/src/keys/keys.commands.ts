import { userInfo } from 'node:os';
import { AccessKeys, commandContext } from '@stance-ledger/application';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';

/** Whoever runs the CLI has the database in hand; the log still says who issued what, from where. */
const cliCaller = () => commandContext({ recordedBy: `cli:${userInfo().username}` });

@SubCommand({ name: 'create', description: 'Issue an API key; its secret is printed once, stored only as a hash' })
export class CreateKeyCommand extends CommandRunner {
  constructor(private readonly keys: AccessKeys) {
    super();
  }

  async run(_parameters: string[], options: { name?: string; role?: string[] }): Promise<void> {
    const issued = (await this.keys.issue({ name: options.name, roles: options.role ?? [] }, cliCaller()))!;
    process.stderr.write(`Issued key ${issued.id} to ${issued.name} (${issued.roles.join(', ')}). The secret below is shown only now:\n`);
    process.stdout.write(`${issued.key}\n`);
  }

  @Option({ flags: '-n, --name <name>', description: 'who the key is: a person or a system (it becomes recordedBy)', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '-r, --role <role>', description: 'recorder, analyst, auditor or admin; repeat for several' })
  parseRole(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }
}

@SubCommand({ name: 'list', description: 'Every key issued, revoked ones too (never a secret)' })
export class ListKeysCommand extends CommandRunner {
  constructor(private readonly keys: AccessKeys) {
    super();
  }

  async run(): Promise<void> {
    for (const key of await this.keys.list()) {
      const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()} by ${key.revokedBy}` : 'active';
      process.stdout.write(`${key.id}  ${key.name}  ${key.roles.join(',')}  issued ${key.createdAt.toISOString()} by ${key.createdBy}  ${state}\n`);
    }
  }
}

@SubCommand({ name: 'revoke', arguments: '<id>', description: 'Revoke a key: every API process refuses it within a second' })
export class RevokeKeyCommand extends CommandRunner {
  constructor(private readonly keys: AccessKeys) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const key = await this.keys.revoke(id, cliCaller());
    process.stdout.write(`Revoked key ${key.id} of ${key.name}\n`);
  }
}

@Command({ name: 'keys', description: 'Issue, list and revoke API keys', subCommands: [CreateKeyCommand, ListKeysCommand, RevokeKeyCommand] })
export class KeysCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stderr.write('usage: keys create --name NAME --role ROLE [--role ROLE] | keys list | keys revoke ID\n');
    process.exitCode = 1;
  }
}
