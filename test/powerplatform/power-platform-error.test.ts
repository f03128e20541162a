import { describe, expect, it } from 'vitest';
import {
  PowerPlatformError,
  errorFromResponse,
  reasonForStatus,
} from '../../src/powerplatform/power-platform-error.js';
import { isServiceFailure } from '../../src/workflows/directory-port.js';

describe('PowerPlatformError', () => {
  it.each([
    [400, 'bad-request', false],
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not-found', false],
    [409, 'conflict', false],
    [412, 'conflict', false],
    [429, 'throttled', true],
    [500, 'server', true],
    [503, 'server', true],
  ] as const)(
    'when the service answers %i, then the reason is %s (transient: %s)',
    (status, reason, transient) => {
      expect(reasonForStatus(status)).toBe(reason);
      expect(errorFromResponse(status, '', new Headers(), undefined, undefined).transient).toBe(transient);
    },
  );

  it('when a workflow receives one, then it is recognised as a ServiceFailure', () => {
    const error = errorFromResponse(
      403,
      'Forbidden',
      new Headers({ 'request-id': 'r-1' }),
      { error: { code: 'Forbidden', message: 'Register the app.' } },
      undefined,
    );
    expect(error).toBeInstanceOf(PowerPlatformError);
    expect(isServiceFailure(error)).toBe(true);
    expect(error).toMatchObject({ code: 'Forbidden', message: 'Register the app.', requestId: 'r-1' });
  });
});
