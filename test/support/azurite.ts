import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/lib/processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Azurite's account and key: public, documented development values, the same on every machine. */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  stop: () => Promise<void>;
}

/**
 * Starts Azurite's Table service from node_modules on a free port, in memory, and resolves once it says it is
 * listening. For tests and scripts; nothing here depends on vitest.
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const port = await freePort();
  const workspace = mkdtempSync(join(tmpdir(), 'azurite-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js'),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    // In memory; anything Azurite still writes lands in a folder of its own.
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((started, failed) => {
    const timer = setTimeout(
      () => failed(new Error(`Azurite did not start within 30 s:\n${output}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/successfully listening|successfully started/i.test(output)) {
        clearTimeout(timer);
        started();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      failed(new Error(`Azurite exited with ${String(code)} during start-up:\n${output}`));
    });
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
