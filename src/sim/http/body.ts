import type { IncomingMessage } from 'node:http';
import { SimHttpError } from './errors.js';

const MAX_BODY = 4 * 1024 * 1024;

/** Reads and parses a request body: form fields, JSON, or text as sent; undefined when there is none. */
export async function readBody(req: IncomingMessage, contentType: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY)
      throw new SimHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  if (contentType.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SimHttpError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
  }
  return text;
}
