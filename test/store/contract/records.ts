import { describe, expect, it } from 'vitest';
import type { ConversationRecord } from '../../../src/domain/records.js';
import type { Store } from '../../../src/workflows/ports.js';
import { at, expectStoreError } from './fixtures.js';

const channel: ConversationRecord = {
  id: '19:alerts@thread.tacv2',
  kind: 'channel',
  tenantId: 'tenant-1',
  teamId: 'team-1',
  channelId: '19:alerts@thread.tacv2',
  reference: { conversation: { id: '19:alerts@thread.tacv2' }, serviceUrl: 'https://smba.example/' },
  updatedAt: at(0),
};
const personal: ConversationRecord = {
  id: 'a:1on1-alice',
  kind: 'personal',
  tenantId: 'tenant-1',
  userAadObjectId: 'alice',
  reference: { conversation: { id: 'a:1on1-alice' } },
  updatedAt: at(0),
};

export function conversationAndSettingContract(store: () => Store): void {
  describe('conversation references', () => {
    it('when a conversation is saved, then get returns it as saved, without the fields it did not have', async () => {
      await store().saveConversation(personal);

      expect(await store().getConversation(personal.id)).toStrictEqual(personal);
      expect(await store().getConversation('unknown')).toBeUndefined();
    });

    it('when a conversation is saved again, then it replaces the earlier one', async () => {
      await store().saveConversation(channel);
      const renewed = { ...channel, reference: { serviceUrl: 'https://smba2.example/' }, updatedAt: at(5) };

      await store().saveConversation(renewed);

      expect(await store().getConversation(channel.id)).toStrictEqual(renewed);
      expect(await store().listConversations()).toHaveLength(1);
    });

    it('when listing, then conversations are filtered by kind and by user', async () => {
      await store().saveConversation(channel);
      await store().saveConversation(personal);
      await store().saveConversation({ ...personal, id: 'a:1on1-bob', userAadObjectId: 'bob' });

      expect((await store().listConversations()).map((c) => c.id)).toStrictEqual([
        channel.id,
        'a:1on1-alice',
        'a:1on1-bob',
      ]);
      expect((await store().listConversations({ kind: 'channel' })).map((c) => c.id)).toStrictEqual([
        channel.id,
      ]);
      expect((await store().listConversations({ userAadObjectId: 'bob' })).map((c) => c.id)).toStrictEqual([
        'a:1on1-bob',
      ]);
    });
  });

  describe('settings', () => {
    it('when a setting was never set, then it reads as undefined', async () => {
      expect(await store().getSetting('alertsChannel')).toBeUndefined();
    });

    it('when a setting is set and set again, then the last value is read back as JSON', async () => {
      await store().setSetting('alertsChannel', { conversationId: 'first' });
      await store().setSetting('alertsChannel', { conversationId: '19:alerts@thread.tacv2', since: at(1) });
      await store().setSetting('empty', null);

      expect(await store().getSetting('alertsChannel')).toStrictEqual({
        conversationId: '19:alerts@thread.tacv2',
        since: at(1),
      });
      expect(await store().getSetting('empty')).toBeNull();
    });

    it('when a value is not JSON, then it is refused as invalid input', async () => {
      await expectStoreError(store().setSetting('x', undefined), 'invalid-input');
      await expectStoreError(store().setSetting('x', 10n), 'invalid-input');
      expect(await store().getSetting('x')).toBeUndefined();
    });
  });

  describe('sync state', () => {
    it('when a key was never set, then it reads as undefined', async () => {
      expect(await store().getSyncState('delta:NHI-001')).toBeUndefined();
    });

    it('when sync state is set twice, then the last value and its time are read back', async () => {
      await store().setSyncState('delta:NHI-001', { deltaLink: 'https://graph/delta?token=1' }, at(1));
      await store().setSyncState('delta:NHI-001', { deltaLink: 'https://graph/delta?token=2' }, at(2));

      expect(await store().getSyncState('delta:NHI-001')).toStrictEqual({
        key: 'delta:NHI-001',
        value: { deltaLink: 'https://graph/delta?token=2' },
        updatedAt: at(2),
      });
    });
  });
}
