import type { ServerResponse } from 'node:http';
import type { Family, SimRequest, SimResponse } from './types.js';

/** Writes a response with the headers the real services send: request ids, diagnostics and the content type. */
export function send(res: ServerResponse, family: Family, req: SimRequest, response: SimResponse): void {
  const headers: Record<string, string> = {
    'request-id': req.requestId,
    'client-request-id': req.clientRequestId,
    'x-ms-ags-diagnostic': JSON.stringify({
      ServerInfo: { DataCenter: 'Simulator', Slice: 'E', Ring: '0' },
    }),
    Date: new Date().toUTCString(),
    // Dataverse names its request id x-ms-service-request-id (and REQ_ID); the write log keeps the same id.
    ...(family === 'dataverse' ? { 'x-ms-service-request-id': req.requestId, REQ_ID: req.requestId } : {}),
    ...response.headers,
  };
  let payload = '';
  if (typeof response.body === 'string') {
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    payload = response.body;
  } else if (response.body !== undefined) {
    headers['Content-Type'] =
      family === 'graph'
        ? 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
        : 'application/json; charset=utf-8';
    if (family === 'dataverse') headers['OData-Version'] = '4.0';
    payload = JSON.stringify(response.body);
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}
