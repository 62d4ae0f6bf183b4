// The database as Kysely sees it: one interface per table. Money is integer yen (bigint columns,
// read as JS numbers: see db/index.ts), times are timestamptz (UTC), months are 'YYYY-MM' text.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Role = 'admin' | 'cs_manager' | 'finance' | 'client' | 'hacker';
export const ROLES: readonly Role[] = ['admin', 'cs_manager', 'finance', 'client', 'hacker'];

export interface ClientsTable {
  id: Generated<number>;
  name: string;
  industry: string;
  created_at: CreatedAt;
}

export type HackerKind = 'individual' | 'corporation';
export type Residency = 'resident' | 'non_resident';

export interface HackersTable {
  id: Generated<number>;
  display_name: string;
  kind: HackerKind;
  residency: Residency;
  skills: string[];
  industries: string[];
  status: Generated<'active' | 'inactive'>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: Role;
  /** Set exactly when role = 'client': the tenant this user belongs to. */
  client_id: number | null;
  /** Set exactly when role = 'hacker'. */
  hacker_id: number | null;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  /** sha256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  label: string | null;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface EngagementsTable {
  id: Generated<number>;
  client_id: number;
  cs_manager_id: number;
  offer_mode: 'open' | 'targeted' | 'team';
  monthly_fee_yen: number;
  /** First Tokyo month of the contract, YYYY-MM. */
  start_month: string;
  /** Month the workflow is in now (updated at each boundary). */
  current_month: string | null;
  status: 'active' | 'ending' | 'ended';
  workflow_id: string;
  /** Demo/test knob: seconds per "month" instead of calendar months. */
  month_length_seconds: number | null;
  end_reason: string | null;
  ends_at: Timestamp | null;
  ended_at: Timestamp | null;
  idempotency_key: string | null;
  created_by: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  clients: ClientsTable;
  hackers: HackersTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  engagements: EngagementsTable;
}

export type Client = Selectable<ClientsTable>;
export type Hacker = Selectable<HackersTable>;
export type NewHacker = Insertable<HackersTable>;
export type User = Selectable<UsersTable>;
export type Engagement = Selectable<EngagementsTable>;
export type EngagementUpdate = Updateable<EngagementsTable>;
