import { COMMENT_MAX } from '../domain/exceptions.js';

/**
 * The Action.Execute verbs of the MFA exception cards and the NHI-003 card, with the data each sends. The Teams
 * layer parses that data with a schema and decides on the server who may act; the card only offers the button.
 */

/** Opens the request form for the clicker. Data: `{ findingId, renewal?: true }`. */
export const EXCEPTION_FORM_VERB = 'exception.form';
/** Submits the form. Data: `{ findingId, renewalOf?: requestId }` and the form's inputs. */
export const EXCEPTION_REQUEST_VERB = 'exception.request';
/** Closes the form without a request. Data: `{ findingId }`. */
export const EXCEPTION_CANCEL_VERB = 'exception.cancel';
/** Data: `{ requestId }` and the input `comment`. */
export const EXCEPTION_APPROVE_VERB = 'exception.approve';
/** Data: `{ requestId }` and the input `comment`. */
export const EXCEPTION_REJECT_VERB = 'exception.reject';
/** Ends an exception in force. Data: `{ requestId }` and the input `comment`. */
export const EXCEPTION_REVOKE_VERB = 'exception.revoke';
/** Removes an NHI-003 member from the exception group. Data: `{ findingId }` and the input `comment`. */
export const DRIFT_REMOVE_VERB = 'drift.remove';

/** The longest comment the cards accept; the server checks the same bound again. */
export const COMMENT_MAX_LENGTH = COMMENT_MAX;
