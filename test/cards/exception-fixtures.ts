import type { CaCheck, ClaimCheck, ExceptionPayload, ExceptionStatus } from '../../src/domain/exceptions.js';
import type { ApprovalRequest } from '../../src/domain/records.js';

/** Markup a requester might type into a justification or a name, as the brief for these cards put it. */
export const MARKUP = '**bold** [x](https://evil) <at>y</at> ${x}';

export const CA_WITH_POLICIES: CaCheck = {
  available: true,
  policies: [
    { id: 'p1', displayName: 'Require MFA for all users', requiresMfa: true },
    { id: 'p2', displayName: 'Block legacy authentication', requiresMfa: false },
  ],
  checkedAt: '2025-06-01T08:59:00Z',
};

export const CA_NO_POLICY: CaCheck = caWith([]);

/** An available CA check that found these enabled policies excluding the group. */
export function caWith(policies: Extract<CaCheck, { available: true }>['policies']): CaCheck {
  return { available: true, policies, checkedAt: '2025-06-01T08:59:00Z' };
}

export const CA_NO_PERMISSION: CaCheck = {
  available: false,
  reason: 'permission-missing',
  permission: 'Policy.Read.All',
  detail: 'Authorization_RequestDenied',
  checkedAt: '2025-06-01T08:59:00Z',
};

export const CA_NOT_PREMIUM: CaCheck = {
  available: false,
  reason: 'not-premium',
  detail: 'Tenant lacks P1',
  checkedAt: '2025-06-01T08:59:00Z',
};

export const CLAIMS: ClaimCheck[] = [
  {
    kind: 'interactive-sign-ins',
    attestation: 'nonInteractiveOnly',
    status: 'verified',
    detail: 'No interactive sign-in recorded.',
  },
  {
    kind: 'mfa-registration',
    attestation: 'nonInteractiveOnly',
    status: 'contradicted',
    detail: 'MFA methods are registered (mobilePhone): someone set the account up interactively.',
  },
  {
    kind: 'directory-roles',
    attestation: 'minimalPermissions',
    status: 'unknown',
    detail: 'Unknown: Warden lacks RoleManagement.Read.Directory, which it needs to read directory roles.',
  },
  {
    kind: 'flows-owned',
    attestation: 'noWorkloadIdentityYet',
    status: 'verified',
    detail: 'Owns 3 flows, none solution-aware: they cannot change owner until they are added to a solution.',
  },
];

export function payload(overrides: Partial<ExceptionPayload> = {}): ExceptionPayload {
  return {
    subjectId: 'm1',
    subjectDisplayName: 'Reception Desk',
    requestedByName: 'Lee Gu',
    justification: 'The badge printer signs in with this account every night to fetch the visitor list.',
    durationDays: 30,
    attestations: { nonInteractiveOnly: true, minimalPermissions: true, noWorkloadIdentityYet: true },
    claims: CLAIMS,
    evidenceAt: '2025-06-01T08:59:00Z',
    ca: CA_WITH_POLICIES,
    ...overrides,
  };
}

export function request(
  id: string,
  overrides: Partial<ApprovalRequest> = {},
  payloadOverrides: Partial<ExceptionPayload> = {},
): ApprovalRequest {
  return {
    id,
    findingId: 'NHI-001:m1',
    kind: 'exception',
    action: 'mfa-exception',
    requestedBy: 'owner-1',
    payload: payload(payloadOverrides),
    state: 'pending',
    decisions: [],
    createdAt: '2025-06-01T09:00:00Z',
    updatedAt: '2025-06-01T09:00:00Z',
    version: 1,
    ...overrides,
  };
}

/** A request waiting for approvers. */
export function pendingStatus(
  payloadOverrides: Partial<ExceptionPayload> = {},
  id = 'req-2',
): ExceptionStatus {
  return { request: request(id, {}, payloadOverrides) };
}

/** An approved exception in force, approved by Ada Admin on 2 June with a comment, ending on 2 July. */
export function activeStatus(
  overrides: Partial<ExceptionStatus> = {},
  payloadOverrides: Partial<ExceptionPayload> = {},
): ExceptionStatus {
  return {
    request: request(
      'req-1',
      {
        state: 'approved',
        decisions: [
          {
            by: 'ada',
            verdict: 'approve',
            comment: 'Until the app user is set up',
            at: '2025-06-02T10:00:00Z',
          },
        ],
        updatedAt: '2025-06-02T10:00:00Z',
      },
      payloadOverrides,
    ),
    deciderName: 'Ada Admin',
    expiresAt: '2025-07-02T10:00:00Z',
    membership: 'added',
    ...overrides,
  };
}
