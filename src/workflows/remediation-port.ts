/**
 * The writes remediations make, beyond the exception group (exception-port.ts): an account's sign-in and
 * sessions through Graph, and a cloud flow's owner through Dataverse. Each write returns the service's request-id
 * for the audit log; each read lets a worker see that a step was already done before it writes. A failure is a
 * ServiceFailure (directory-port.ts) with Graph's or Dataverse's code, request-id and Retry-After.
 */

/**
 * The code of the failure when Graph refused to change an account's sign-in because the account holds an admin
 * role (Graph answers 403 Authorization_RequestDenied for that and for a missing permission alike; the adapter
 * tells them apart).
 */
export const ADMIN_TARGET_REFUSED = 'Authorization_RequestDenied_TargetHoldsAdminRole';

export interface WriteReceipt {
  requestId: string | undefined;
}

export interface AccountWriter {
  /** What a block or undo checks first: whether the account can sign in, and since when sessions are valid. */
  accountState(userId: string): Promise<{ accountEnabled: boolean; signInSessionsValidFrom: string | null }>;
  setAccountEnabled(userId: string, enabled: boolean): Promise<WriteReceipt>;
  revokeSessions(userId: string): Promise<WriteReceipt>;
}

export interface FlowOwnerWriter {
  /** The systemuser id of the flow's owner now, or undefined when the flow is gone. */
  flowOwner(environmentName: string, workflowId: string): Promise<string | undefined>;
  setFlowOwner(environmentName: string, workflowId: string, systemUserId: string): Promise<WriteReceipt>;
  /** The systemuser id of the configured application user (FLOW_APP_ID) in the environment, if it has one. */
  applicationUser(environmentName: string): Promise<string | undefined>;
}
