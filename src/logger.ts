import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry secrets or tokens; pino replaces them before a line is written. */
const REDACT = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.access_token',
];

/** Structured JSON logs on stdout, with secrets redacted. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { name: 'warden', level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } },
    destination ?? process.stdout,
  );
}
