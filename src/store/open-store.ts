import type { TokenCredential } from '@azure/core-auth';
import type { Config } from '../config.js';
import type { Store } from '../workflows/ports.js';
import { openAzureTableStore } from './azure-table-store.js';
import { openSqliteStore } from './sqlite-store.js';

/** The store the configuration names: SQLite for one instance, Azure Table Storage for many. */
export async function openStore(config: Readonly<Config>, credential: TokenCredential): Promise<Store> {
  const { kind, sqlitePath, tables } = config.store;
  if (kind === 'sqlite') return openSqliteStore({ path: sqlitePath });
  return openAzureTableStore({
    table: tables.table,
    ...(tables.connectionString
      ? { connectionString: tables.connectionString }
      : { endpoint: tables.endpoint, credential }),
  });
}
