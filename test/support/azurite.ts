import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/lib/processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TABLE_SERVICE = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js');
/** Azurite's account and key: public, documented development values, the same on every machine. */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const START_TIMEOUT_MS = 30_000;

export interface RunningAzurite {
  connectionString: string;
  /** Stops Azurite and resolves once it has exited; its data, kept in memory, is gone. */
  stop: () => Promise<void>;
}

/**
 * Starts Azurite's Table service from node_modules on a free port, in memory, and resolves once it says it has
 * started. For tests and scripts alike: nothing here depends on vitest.
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const port = await freePort();
  // In memory; anything Azurite still writes to its working folder lands in one of its own.
  const workspace = mkdtempSync(join(tmpdir(), 'azurite-'));
  const child = spawn(
    process.execPath,
    [
      TABLE_SERVICE,
      ...['--tableHost', '127.0.0.1', '--tablePort', String(port)],
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
      // No access log: nobody reads it, and an unread pipe would fill up and stall Azurite.
      '--silent',
    ],
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(workspace, { recursive: true, force: true });
  };

  let output = '';
  try {
    await new Promise<void>((started, failed) => {
      const timer = setTimeout(() => {
        failed(new Error(`Azurite did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
      }, START_TIMEOUT_MS);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('successfully started')) {
          clearTimeout(timer);
          started();
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        failed(new Error(`Azurite exited (${String(code ?? signal)}) during start-up:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // From here on its output is drained unread.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();

  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    stop,
  };
}
