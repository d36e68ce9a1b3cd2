import type { Pool } from 'pg';

/** Append only: a replica applies, in order, every version above the one recorded. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE fulfillment_lease (
     name text PRIMARY KEY,
     holder text NOT NULL,
     fencing bigint NOT NULL,
     expires_at timestamptz NOT NULL
   );
   CREATE TABLE fulfillment_backoff (
     request_id text PRIMARY KEY,
     failures integer NOT NULL,
     not_before_ms bigint NOT NULL,
     last_error text
   );
   CREATE TABLE fulfillment_outcome (
     request_id text PRIMARY KEY,
     outcome jsonb NOT NULL,
     recorded_at timestamptz NOT NULL DEFAULT now()
   );`,
];

/** Any constant; only replicas of this daemon take it. */
const MIGRATION_LOCK = 7_130_113;

/**
 * Brings the schema to the latest version. The transaction-scoped advisory lock makes replicas that
 * start at once take turns: the second sees the version the first wrote and applies nothing.
 */
export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS fulfillment_schema (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>(
      'SELECT max(version) AS version FROM fulfillment_schema',
    );
    const current = rows[0]?.version ?? 0;
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO fulfillment_schema (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
