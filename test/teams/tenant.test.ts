import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { activityTenant, isConfiguredTenant } from '../../src/teams/tenant.js';

const OURS = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const OTHER = '0b7e4d1c-9a8b-4f6e-8d2c-1e0f9a8b7c6d';

/** An activity that names its tenant in conversation.tenantId, channelData.tenant.id, both or neither. */
function activity(conversationTenant: string | undefined, channelDataTenant: unknown): Partial<Activity> {
  return {
    type: 'message',
    conversation: {
      id: 'a:1',
      isGroup: false,
      conversationType: 'personal',
      name: '',
      ...(conversationTenant !== undefined ? { tenantId: conversationTenant } : {}),
    },
    ...(channelDataTenant !== undefined ? { channelData: { tenant: { id: channelDataTenant } } } : {}),
  };
}

describe('activityTenant', () => {
  it('when the conversation names the tenant, then that tenant is answered in lower case', () => {
    expect(activityTenant(activity(OURS.toUpperCase(), undefined))).toBe(OURS);
  });

  it('when only the Teams channel data names the tenant, then that tenant is answered', () => {
    expect(activityTenant(activity(undefined, OURS.toUpperCase()))).toBe(OURS);
  });

  it('when both name a tenant, then the conversation wins', () => {
    expect(activityTenant(activity(OURS, OTHER))).toBe(OURS);
  });

  it('when nothing names a tenant, or the channel data tenant is not text, then the tenant is unknown', () => {
    expect(activityTenant(activity(undefined, undefined))).toBeUndefined();
    expect(activityTenant(activity(undefined, 42))).toBeUndefined();
    expect(activityTenant({})).toBeUndefined();
  });
});

describe('isConfiguredTenant', () => {
  it('when the activity names the configured tenant in either place or both, then it is accepted', () => {
    expect(isConfiguredTenant(activity(OURS, undefined), OURS)).toBe(true);
    expect(isConfiguredTenant(activity(undefined, OURS), OURS)).toBe(true);
    expect(isConfiguredTenant(activity(OURS, OURS), OURS)).toBe(true);
  });

  it('when the tenant differs only in letter case, then it is still the configured tenant', () => {
    expect(isConfiguredTenant(activity(OURS.toUpperCase(), OURS), OURS)).toBe(true);
    expect(isConfiguredTenant(activity(OURS, undefined), OURS.toUpperCase())).toBe(true);
  });

  it('when the activity comes from another tenant, then it is refused', () => {
    expect(isConfiguredTenant(activity(OTHER, undefined), OURS)).toBe(false);
    expect(isConfiguredTenant(activity(undefined, OTHER), OURS)).toBe(false);
  });

  it('when the activity names two different tenants, then it is refused whichever place names ours', () => {
    expect(isConfiguredTenant(activity(OURS, OTHER), OURS)).toBe(false);
    expect(isConfiguredTenant(activity(OTHER, OURS), OURS)).toBe(false);
  });

  it('when the activity names no tenant at all, then it is refused', () => {
    expect(isConfiguredTenant(activity(undefined, undefined), OURS)).toBe(false);
    expect(isConfiguredTenant({}, OURS)).toBe(false);
  });

  it('when the tenant is an empty string, then it is refused', () => {
    expect(isConfiguredTenant(activity('', undefined), OURS)).toBe(false);
    expect(isConfiguredTenant(activity(OURS, ''), OURS)).toBe(false);
  });
});
