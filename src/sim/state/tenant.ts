import type {
  SimApp,
  SimConditionalAccessPolicy,
  SimDirectoryRole,
  SimEnvironment,
  SimGroup,
  SimServicePrincipal,
  SimSubscription,
  SimUser,
} from './model.js';
import type { Random } from './random.js';

/** A clock the control API can move forward, so that token lifetimes and expiries can be tested quickly. */
export class SimClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  iso(): string {
    return new Date(this.now()).toISOString();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface RemovedUser {
  id: string;
  seq: number;
  reason: 'changed' | 'deleted';
}

/** Well-known objects of the seeded tenant, so that the demo and tests can address them. */
export interface TenantWellKnown {
  approversGroupId: string;
  exceptionGroupId: string;
  flowAppServicePrincipalId: string;
  flowAppId: string;
  /** The demo's people, by role: first an approver, then others. */
  people: Record<string, string>;
}

/**
 * The whole simulated tenant: directory, mailboxes, Power Platform and the bookkeeping that delta queries need.
 * Every change to a user goes through touchUser so that delta rounds see it.
 */
export class Tenant {
  readonly users = new Map<string, SimUser>();
  readonly usersByUpn = new Map<string, SimUser>();
  readonly removed: RemovedUser[] = [];
  readonly groups = new Map<string, SimGroup>();
  readonly roles = new Map<string, SimDirectoryRole>();
  readonly servicePrincipals = new Map<string, SimServicePrincipal>();
  readonly caPolicies = new Map<string, SimConditionalAccessPolicy>();
  readonly apps = new Map<string, SimApp>();
  readonly environments = new Map<string, SimEnvironment>();
  readonly subscriptions = new Map<string, SimSubscription>();
  /** Users in creation order, for stable paging. */
  userOrder: string[] = [];
  /** Change sequence: every user change gets the next number. */
  seq = 0;
  /** Raised by the control API to invalidate every delta token issued before (400 syncStateNotFound). */
  deltaGeneration = 1;
  /** When set, the next delta request answers 410 Gone with a Location to restart from (a forced reset). */
  deltaResetPending = false;
  /** Called after a user is created, updated or deleted: change notifications hang off this. */
  readonly userListeners: ((userId: string, changeType: 'created' | 'updated' | 'deleted') => void)[] = [];

  constructor(
    readonly id: string,
    readonly domain: string,
    readonly displayName: string,
    /** Whether the tenant has Entra ID P1 (sign-in activity and registration reports need it). */
    public premium: boolean,
    readonly clock: SimClock,
    readonly random: Random,
    public wellKnown: TenantWellKnown,
  ) {}

  /** The identity throttling tier Graph applies: S (<50 users), M (50-500), L (>500). */
  sizeClass(): 'S' | 'M' | 'L' {
    const n = this.users.size;
    return n < 50 ? 'S' : n <= 500 ? 'M' : 'L';
  }

  addUser(user: SimUser): SimUser {
    this.seq++;
    user.changed = Object.fromEntries(Object.keys(user).map((key) => [key, this.seq]));
    this.users.set(user.id, user);
    this.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
    this.userOrder.push(user.id);
    this.emit(user.id, 'created');
    return user;
  }

  /** Applies a change to a user and records which properties changed, for delta. */
  touchUser(user: SimUser, patch: Partial<SimUser>): void {
    this.seq++;
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'id' || key === 'changed') continue;
      if (key === 'userPrincipalName' && typeof value === 'string') {
        this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
        this.usersByUpn.set(value.toLowerCase(), user);
      }
      (user as unknown as Record<string, unknown>)[key] = value;
      user.changed[key] = this.seq;
    }
    this.emit(user.id, 'updated');
  }

  private emit(userId: string, changeType: 'created' | 'updated' | 'deleted'): void {
    for (const listener of this.userListeners) listener(userId, changeType);
  }

  deleteUser(id: string, reason: 'changed' | 'deleted' = 'changed'): boolean {
    const user = this.users.get(id);
    if (!user) return false;
    this.seq++;
    this.users.delete(id);
    this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
    this.userOrder = this.userOrder.filter((u) => u !== id);
    for (const group of this.groups.values()) group.members.delete(id);
    for (const role of this.roles.values()) role.members.delete(id);
    this.removed.push({ id, seq: this.seq, reason });
    this.emit(id, 'deleted');
    return true;
  }

  /** A user by object id or user principal name (case-insensitive), as Graph resolves /users/{id|upn}. */
  findUser(idOrUpn: string): SimUser | undefined {
    return this.users.get(idOrUpn) ?? this.usersByUpn.get(decodeURIComponent(idOrUpn).toLowerCase());
  }

  /** Groups and directory roles the object belongs to, transitively through nested groups. */
  transitiveMemberships(objectId: string): { groups: SimGroup[]; roles: SimDirectoryRole[] } {
    const groups: SimGroup[] = [];
    const seen = new Set<string>([objectId]);
    const queue = [objectId];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const group of this.groups.values()) {
        if (group.members.has(current) && !seen.has(group.id)) {
          seen.add(group.id);
          groups.push(group);
          queue.push(group.id);
        }
      }
    }
    const roles = [...this.roles.values()].filter((r) => [...seen].some((id) => r.members.has(id)));
    return { groups, roles };
  }

  directoryObjectKind(id: string): 'user' | 'group' | 'servicePrincipal' | undefined {
    if (this.users.has(id)) return 'user';
    if (this.groups.has(id)) return 'group';
    if (this.servicePrincipals.has(id)) return 'servicePrincipal';
    return undefined;
  }

  findApp(clientId: string): SimApp | undefined {
    return this.apps.get(clientId);
  }
}
