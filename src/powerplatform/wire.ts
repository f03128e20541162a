import { z } from 'zod';

/**
 * The parts of BAP's and Dataverse's answers Warden reads, checked at the edge; every other property passes
 * unread. Names and shapes: BAP `scopes/admin/environments` (api-version 2020-10-01) and the Dataverse Web API v9.2.
 */

export const BAP_ADMIN_ENVIRONMENTS = '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';
export const BAP_API_VERSION = '2020-10-01';
export const DATAVERSE_WEB_API = '/api/data/v9.2';

/** The solution a flow belongs to when it belongs to none: such a flow cannot change its primary owner. */
export const DEFAULT_SOLUTION_ID = 'fd140aae-4df4-11dd-bd17-0019b9312238';
/** workflow.category of a cloud flow ("Modern Flow"); 6 is a desktop flow. */
export const CLOUD_FLOW_CATEGORY = 5;
/** The annotation that says which table a lookup (`_ownerid_value`) points into: systemuser or team. */
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';

export const bapEnvironment = z.object({
  name: z.string().min(1),
  properties: z
    .object({
      displayName: z.string().optional(),
      linkedEnvironmentMetadata: z.object({ instanceApiUrl: z.string().optional() }).optional(),
    })
    .optional(),
});
export type BapEnvironment = z.infer<typeof bapEnvironment>;

export const systemUserRow = z.object({
  systemuserid: z.string().min(1),
  fullname: z.string().nullish(),
  azureactivedirectoryobjectid: z.string().nullish(),
  applicationid: z.string().nullish(),
  isdisabled: z.boolean().nullish(),
});
export type SystemUserRow = z.infer<typeof systemUserRow>;

export const SYSTEM_USER_COLUMNS = [
  'systemuserid',
  'fullname',
  'azureactivedirectoryobjectid',
  'applicationid',
  'isdisabled',
] as const;

export const workflowRow = z.object({
  workflowid: z.string().min(1),
  name: z.string().nullish(),
  statecode: z.number().int(),
  _ownerid_value: z.string().min(1),
  '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': z.string().optional(),
  modifiedon: z.string().nullish(),
  solutionid: z.string().nullish(),
});
export type WorkflowRow = z.infer<typeof workflowRow>;

export const WORKFLOW_COLUMNS = [
  'workflowid',
  'name',
  'statecode',
  '_ownerid_value',
  'modifiedon',
  'solutionid',
] as const;
