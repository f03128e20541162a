import { SimHttpError } from '../http/errors.js';
import type { SimContext, SimRequest, SimResponse } from '../http/types.js';
import { DEFAULT_SOLUTION_ID, type SimEnvironment, type SimFlow } from '../state/model.js';
import {
  authorize,
  dataverseError,
  formattedDate,
  parseBind,
  requirePrivilege,
  rowVersion,
  webApiUrl,
} from './dataverse-core.js';
import { columnsOf, preferences, recordNotFound, renderEntity, type EntitySpec } from './dataverse-query.js';

/**
 * The `workflow` table (cloud flows are category 5) and the owner change Dataverse supports for
 * solution-aware flows: `PATCH workflows(<id>)` with `ownerid@odata.bind`.
 */

const STATE_LABELS = ['Draft', 'Activated', 'Suspended'] as const;
/** statuscode per statecode: 1 Draft, 2 Activated, 3 CompanyDLPViolation (the reason a flow is suspended). */
const STATUS_OF_STATE = [1, 2, 3] as const;
const STATUS_LABELS: Record<number, string> = { 1: 'Draft', 2: 'Activated', 3: 'CompanyDLPViolation' };

const COLUMNS = [
  'workflowid',
  'workflowidunique',
  'name',
  'description',
  'category',
  'type',
  'primaryentity',
  'statecode',
  'statuscode',
  '_ownerid_value',
  '_createdby_value',
  '_modifiedby_value',
  'createdon',
  'modifiedon',
  'ismanaged',
  'solutionid',
] as const;

function toRow(flow: SimFlow): Record<string, unknown> {
  return {
    workflowid: flow.workflowid,
    workflowidunique: flow.workflowidunique,
    name: flow.name,
    description: flow.description,
    category: flow.category,
    type: flow.type,
    primaryentity: 'none',
    statecode: flow.statecode,
    statuscode: STATUS_OF_STATE[flow.statecode],
    _ownerid_value: flow.ownerId,
    _createdby_value: flow.createdById,
    _modifiedby_value: flow.modifiedById,
    createdon: flow.createdon,
    modifiedon: flow.modifiedon,
    ismanaged: flow.ismanaged,
    solutionid: flow.solutionid,
  };
}

function systemUserLookup(env: SimEnvironment, id: string, navigation: string) {
  return { formatted: env.systemUsers.get(id)?.fullname, lookup: { logicalName: 'systemuser', navigation } };
}

export const workflowSpec: EntitySpec<SimFlow> = {
  setName: 'workflows',
  logicalName: 'workflow',
  key: 'workflowid',
  readPrivilege: 'prvReadWorkflow',
  columns: COLUMNS,
  guidColumns: [
    'workflowid',
    'workflowidunique',
    '_ownerid_value',
    '_createdby_value',
    '_modifiedby_value',
    'solutionid',
  ],
  rows: (env) => env.flows.values(),
  find: (env, key) => env.flows.get(key),
  toRow,
  annotations: (flow, env) => ({
    category: { formatted: 'Modern Flow' },
    type: { formatted: 'Definition' },
    statecode: { formatted: STATE_LABELS[flow.statecode] },
    statuscode: { formatted: STATUS_LABELS[STATUS_OF_STATE[flow.statecode]] },
    ismanaged: { formatted: flow.ismanaged ? 'Managed' : 'Unmanaged' },
    createdon: { formatted: formattedDate(flow.createdon) },
    modifiedon: { formatted: formattedDate(flow.modifiedon) },
    _ownerid_value: systemUserLookup(env, flow.ownerId, 'ownerid'),
    _createdby_value: systemUserLookup(env, flow.createdById, 'createdby'),
    _modifiedby_value: systemUserLookup(env, flow.modifiedById, 'modifiedby'),
  }),
  version: rowVersion,
};

interface WorkflowChange {
  ownerId?: string;
  statecode?: 0 | 1;
  name?: string;
  description?: string | null;
}

/** Checks the whole body before anything changes, so that a refused PATCH leaves the record as it was. */
function parseChange(body: unknown, env: SimEnvironment, flow: SimFlow): WorkflowChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw dataverseError(400, '0x80040203', 'The request body must be a JSON object.');
  }
  const change: WorkflowChange = {};
  let statuscode: unknown;
  for (const [property, value] of Object.entries(body as Record<string, unknown>)) {
    if (property === 'ownerid@odata.bind') {
      change.ownerId = newOwner(value, env, flow);
    } else if (property === 'statecode') {
      if (value !== 0 && value !== 1) {
        throw dataverseError(
          400,
          '0x80040203',
          `${String(value)} is not a valid state code for a cloud flow; use 0 (off) or 1 (on).`,
        );
      }
      change.statecode = value;
    } else if (property === 'statuscode') {
      statuscode = value;
    } else if (property === 'name' && typeof value === 'string' && value.length > 0) {
      change.name = value;
    } else if (property === 'description' && (typeof value === 'string' || value === null)) {
      change.description = value;
    } else {
      throw dataverseError(
        400,
        '0x80060888',
        `Invalid property '${property}' was found in entity 'Microsoft.Dynamics.CRM.workflow'.`,
      );
    }
  }
  const state = change.statecode ?? flow.statecode;
  if (statuscode !== undefined && statuscode !== STATUS_OF_STATE[state]) {
    throw dataverseError(
      400,
      '0x80040203',
      `${JSON.stringify(statuscode)} is not a valid status code for state code ${state} on workflow.`,
    );
  }
  return change;
}

function newOwner(value: unknown, env: SimEnvironment, flow: SimFlow): string {
  const bind = parseBind(value);
  if (!bind) {
    throw dataverseError(
      400,
      '0x80060888',
      `The value '${String(value)}' of ownerid@odata.bind is not a valid entity reference.`,
    );
  }
  if (bind.entitySet !== 'systemusers') {
    // The simulator has no owner teams, so a team reference names a record that does not exist.
    throw recordNotFound(bind.entitySet === 'teams' ? 'team' : bind.entitySet, bind.key);
  }
  const owner = env.systemUsers.get(bind.key);
  if (!owner) throw recordNotFound('systemuser', bind.key);
  if (flow.solutionid === DEFAULT_SOLUTION_ID) {
    // Documented rule (change-cloud-flow-owner.md); the code and wording Dataverse uses are unconfirmed.
    throw dataverseError(
      400,
      '0x80060467',
      'Only solution-aware cloud flows can change their primary owner. Add the flow to a solution first.',
    );
  }
  if (owner.isdisabled) {
    // Dataverse refuses assignment to a disabled user; the exact code is unconfirmed.
    throw dataverseError(
      400,
      '0x80040225',
      `The specified user (Id=${owner.systemuserid}) is either disabled or is not a member of any business unit.`,
    );
  }
  return owner.systemuserid;
}

/** `PATCH workflows(<id>)`: owner change, turning the flow on or off, renaming; 204 unless return=representation. */
export function patchWorkflow(req: SimRequest, ctx: SimContext, key: string): SimResponse {
  const { env, user } = authorize(req, ctx, 'prvWriteWorkflow');
  // A new owner is an assign, which Dataverse checks before it looks at the record or the reference.
  if (typeof req.body === 'object' && req.body !== null && 'ownerid@odata.bind' in req.body)
    requirePrivilege(user, 'prvAssignWorkflow');
  const flow = env.flows.get(key);
  if (!flow) throw recordNotFound('workflow', key);
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== `W/"${rowVersion(flow)}"`) {
    throw new SimHttpError(
      412,
      '0x80060882',
      "The version of the existing record doesn't match the RowVersion property provided.",
    );
  }
  const change = parseChange(req.body, env, flow);
  if (change.ownerId !== undefined) flow.ownerId = change.ownerId;
  if (change.statecode !== undefined) flow.statecode = change.statecode;
  if (change.name !== undefined) flow.name = change.name;
  if (change.description !== undefined) flow.description = change.description;
  flow.modifiedon = ctx.tenant.clock.iso();
  flow.modifiedById = user.systemuserid;
  const entityUrl = `${webApiUrl(ctx.baseUrl, env)}/workflows(${flow.workflowid})`;
  const prefs = preferences(req);
  if (!prefs.returnRepresentation) return { status: 204, headers: { 'OData-EntityId': entityUrl } };
  const body = renderEntity(workflowSpec, flow, env, ctx, columnsOf(workflowSpec, req), prefs);
  return {
    status: 200,
    headers: { 'OData-EntityId': entityUrl, 'Preference-Applied': prefs.applied.join(',') },
    body,
  };
}
