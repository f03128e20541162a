import { GraphError as SdkGraphError } from '@microsoft/microsoft-graph-client';
import { toGraphError, type GraphError } from './errors.js';

/**
 * Graph's request-id for a write, which the audit log keeps. The SDK hands back only the body, and a 204 has none,
 * so a write asks for the raw Response (`.responseType(ResponseType.RAW)`) and reads the header here.
 */

interface WireErrorBody {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } };
}

/** The GraphError for a non-2xx raw response, built as the SDK builds it, so toGraphError reads it the same way. */
export async function errorOfRawResponse(response: Response): Promise<GraphError> {
  const text = await response.text();
  let body: WireErrorBody | undefined;
  try {
    body = JSON.parse(text) as WireErrorBody;
  } catch {
    body = undefined; // not JSON (a proxy's page): the status alone must do
  }
  const error = new SdkGraphError(response.status, body?.error?.message ?? `HTTP ${response.status}`);
  error.code = body?.error?.code ?? null;
  error.requestId = body?.error?.innerError?.['request-id'] ?? response.headers.get('request-id');
  error.headers = response.headers;
  error.body = text;
  return toGraphError(error);
}

/**
 * Sends a write that asked for the raw Response and returns Graph's request-id. A raw request is not thrown on a
 * non-2xx, so that is turned into a GraphError here; whatever the SDK throws becomes one too.
 */
export async function requestIdOfWrite(send: () => Promise<unknown>): Promise<string | undefined> {
  let response: Response;
  try {
    response = (await send()) as Response;
  } catch (error) {
    throw toGraphError(error);
  }
  if (!response.ok) throw await errorOfRawResponse(response);
  // The body (revokeSignInSessions' `{value: true}`) is not needed; reading it frees the connection.
  await response.body?.cancel();
  return response.headers.get('request-id') ?? undefined;
}
