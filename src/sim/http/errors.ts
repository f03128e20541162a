import type { Family, SimRequest, SimResponse } from './types.js';

/** Thrown by handlers to answer with a service error; the pipeline shapes the body for the route's family. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'BadRequest'): SimHttpError =>
  new SimHttpError(400, code, message);
export const notFound = (message: string, code = 'Request_ResourceNotFound'): SimHttpError =>
  new SimHttpError(404, code, message);
/** Graph's 404 for a directory object (or a navigation such as 'manager') that does not exist. */
export const resourceNotFound = (id: string): SimHttpError =>
  notFound(
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** Graph's error body: {error:{code,message,innerError:{date,request-id,client-request-id}}}. */
export function graphErrorBody(
  code: string,
  message: string,
  req: Pick<SimRequest, 'requestId' | 'clientRequestId'>,
) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': req.requestId,
        'client-request-id': req.clientRequestId,
      },
    },
  };
}

/** The error response a service of this family sends. */
export function errorResponse(
  family: Family,
  status: number,
  code: string,
  message: string,
  req: Pick<SimRequest, 'requestId' | 'clientRequestId'>,
  headers: Record<string, string> = {},
): SimResponse {
  switch (family) {
    case 'graph':
      return { status, headers, body: graphErrorBody(code, message, req) };
    case 'dataverse':
    case 'bap':
    case 'control':
      return { status, headers, body: { error: { code, message } } };
    case 'entra':
      return {
        status,
        headers,
        body: {
          error: code,
          error_description: `${message}\r\nTrace ID: ${req.requestId}\r\nCorrelation ID: ${req.clientRequestId}\r\nTimestamp: ${new Date().toISOString()}`,
          error_codes: [Number(/AADSTS(\d+)/.exec(message)?.[1] ?? 0)],
          timestamp: new Date().toISOString(),
          trace_id: req.requestId,
          correlation_id: req.clientRequestId,
        },
      };
  }
}
