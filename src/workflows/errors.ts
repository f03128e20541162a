/** A use case that could not complete for a reason callers branch on (the message is for logs and people). */
export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
  constructor(
    readonly reason: 'contention' | 'not-configured',
    message: string,
  ) {
    super(message);
  }
}
