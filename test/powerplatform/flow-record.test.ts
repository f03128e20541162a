import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../src/domain/flows.js';
import { flowOwner, flowRecord } from '../../src/powerplatform/flow-record.js';
import { environmentRecord } from '../../src/powerplatform/list-environments.js';
import type { SystemUserRow, WorkflowRow } from '../../src/powerplatform/wire.js';

const ENV: EnvironmentRecord = {
  name: 'env-1',
  displayName: 'Finance',
  instanceApiUrl: 'https://org.crm.dynamics.com',
};
const APP_USER = 'a0000000-0000-4000-8000-000000000001';
const PERSON = 'b0000000-0000-4000-8000-000000000002';
const SYSTEM = 'c0000000-0000-4000-8000-000000000003';
const users = new Map<string, SystemUserRow>([
  [
    APP_USER,
    {
      systemuserid: APP_USER,
      applicationid: 'app-id',
      azureactivedirectoryobjectid: 'sp-object-id',
      isdisabled: false,
    },
  ],
  [PERSON, { systemuserid: PERSON, applicationid: null, azureactivedirectoryobjectid: 'person-object-id' }],
  [
    SYSTEM,
    { systemuserid: SYSTEM, fullname: 'SYSTEM', applicationid: null, azureactivedirectoryobjectid: null },
  ],
]);

const row = (overrides: Partial<WorkflowRow> = {}): WorkflowRow => ({
  workflowid: 'f0000000-0000-4000-8000-000000000009',
  name: 'Sync invoices',
  statecode: 1,
  _ownerid_value: PERSON,
  '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'systemuser',
  modifiedon: '2026-01-02T03:04:05Z',
  solutionid: 'd0000000-0000-4000-8000-000000000010',
  ...overrides,
});

describe('flowOwner', () => {
  it('when the owner is an application user, then it is the application, even though it also has an object id', () => {
    expect(flowOwner(APP_USER, 'systemuser', users)).toEqual({
      kind: 'application',
      applicationId: 'app-id',
    });
  });

  it('when the owner is a person, then it is the user with their Entra object id', () => {
    expect(flowOwner(PERSON, 'systemuser', users)).toEqual({ kind: 'user', aadObjectId: 'person-object-id' });
  });

  it('when the owner has neither id, is a team, or is not among the systemusers, then it is unknown by its Dataverse id', () => {
    const team = 'e0000000-0000-4000-8000-000000000011';
    expect(flowOwner(SYSTEM, 'systemuser', users)).toEqual({ kind: 'unknown', systemUserId: SYSTEM });
    expect(flowOwner(PERSON, 'team', users)).toEqual({ kind: 'unknown', systemUserId: PERSON });
    expect(flowOwner(team, undefined, users)).toEqual({ kind: 'unknown', systemUserId: team });
  });

  it('when Dataverse writes the owner id in upper case, then it is still found', () => {
    expect(flowOwner(PERSON.toUpperCase(), 'systemuser', users)).toMatchObject({ kind: 'user' });
  });
});

describe('flowRecord', () => {
  it('when a workflow row is mapped, then every field of the FlowRecord comes from it', () => {
    expect(flowRecord(row(), ENV, users)).toEqual({
      environmentName: 'env-1',
      environmentDisplayName: 'Finance',
      workflowId: 'f0000000-0000-4000-8000-000000000009',
      name: 'Sync invoices',
      state: 'on',
      solutionAware: true,
      lastModified: '2026-01-02T03:04:05Z',
      owner: { kind: 'user', aadObjectId: 'person-object-id' },
      ownerSystemUserId: PERSON,
    });
  });

  it.each([
    [0, 'off'],
    [1, 'on'],
    [2, 'suspended'],
    [9, 'off'],
  ] as const)('when statecode is %i, then the state is %s', (statecode, state) => {
    expect(flowRecord(row({ statecode }), ENV, users).state).toBe(state);
  });

  it.each([
    ['fd140aae-4df4-11dd-bd17-0019b9312238', false],
    ['FD140AAE-4DF4-11DD-BD17-0019B9312238', false],
    [null, false],
    ['d0000000-0000-4000-8000-000000000010', true],
  ])('when solutionid is %s, then solutionAware is %s', (solutionid, solutionAware) => {
    expect(flowRecord(row({ solutionid }), ENV, users).solutionAware).toBe(solutionAware);
  });
});

describe('environmentRecord', () => {
  it('when BAP links a Dataverse organization, then its Web API URL is kept without a trailing slash', () => {
    expect(
      environmentRecord({
        name: 'env-1',
        properties: {
          displayName: 'Finance',
          linkedEnvironmentMetadata: { instanceApiUrl: 'https://org.api.crm.dynamics.com/' },
        },
      }),
    ).toEqual({ name: 'env-1', displayName: 'Finance', instanceApiUrl: 'https://org.api.crm.dynamics.com' });
  });

  it('when BAP links none, then the environment has no Web API URL and its name stands in for a missing display name', () => {
    expect(environmentRecord({ name: 'env-2', properties: {} })).toEqual({
      name: 'env-2',
      displayName: 'env-2',
      instanceApiUrl: null,
    });
  });
});
