import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './index.ts';
import * as m0001 from './migrations/0001_foundation.ts';
import * as m0002 from './migrations/0002_cycles.ts';
import * as m0003 from './migrations/0003_payouts.ts';
import * as m0004 from './migrations/0004_event_ingest.ts';
import * as m0005 from './migrations/0005_test_baseline.ts';
import * as m0006 from './migrations/0006_cycle_lifecycle.ts';
import * as m0007 from './migrations/0007_payout_lifecycle.ts';
import * as m0008 from './migrations/0008_billing.ts';
import * as m0009 from './migrations/0009_partner_payouts.ts';
import * as m0010 from './migrations/0010_sessions.ts';
import * as m0011 from './migrations/0011_network.ts';
import * as m0012 from './migrations/0012_token_expiry.ts';
import * as m0013 from './migrations/0013_traffic_scale.ts';
import * as m0014 from './migrations/0014_holdout_stats.ts';
import * as m0015 from './migrations/0015_session_token.ts';
import * as m0016 from './migrations/0016_idempotency.ts';
import * as m0017 from './migrations/0017_change_sets.ts';
import * as m0018 from './migrations/0018_serving.ts';
import * as m0019 from './migrations/0019_renders.ts';
import * as m0020 from './migrations/0020_proposal_review.ts';
import * as m0021 from './migrations/0021_test_metrics.ts';
import * as m0022 from './migrations/0022_transfer_states.ts';
import * as m0023 from './migrations/0023_payee_changes.ts';
import * as m0024 from './migrations/0024_my_number_vault.ts';
import * as m0025 from './migrations/0025_notifications.ts';
import * as m0026 from './migrations/0026_webhooks.ts';
import * as m0027 from './migrations/0027_briefs.ts';
import * as m0028 from './migrations/0028_offer_questions.ts';
import * as m0029 from './migrations/0029_rate_counters.ts';
import * as m0030 from './migrations/0030_audit_log.ts';
import * as m0031 from './migrations/0031_knowledge_trgm.ts';

// Migrations are listed here in order (static imports: they bundle and type-check with the code).
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_cycles': m0002,
  '0003_payouts': m0003,
  '0004_event_ingest': m0004,
  '0005_test_baseline': m0005,
  '0006_cycle_lifecycle': m0006,
  '0007_payout_lifecycle': m0007,
  '0008_billing': m0008,
  '0009_partner_payouts': m0009,
  '0010_sessions': m0010,
  '0011_network': m0011,
  '0012_token_expiry': m0012,
  '0013_traffic_scale': m0013,
  '0014_holdout_stats': m0014,
  '0015_session_token': m0015,
  '0016_idempotency': m0016,
  '0017_change_sets': m0017,
  '0018_serving': m0018,
  '0019_renders': m0019,
  '0020_proposal_review': m0020,
  '0021_test_metrics': m0021,
  '0022_transfer_states': m0022,
  '0023_payee_changes': m0023,
  '0024_my_number_vault': m0024,
  '0025_notifications': m0025,
  '0026_webhooks': m0026,
  '0027_briefs': m0027,
  '0028_offer_questions': m0028,
  '0029_rate_counters': m0029,
  '0030_audit_log': m0030,
  '0031_knowledge_trgm': m0031,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '?'} failed: ${String((error as Error).message ?? error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrations this code has that the database has not run (`kaizen doctor`). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
