import pg from 'pg';
import type { Outcome } from '../fulfillment/outcomes.ts';
import { migrate } from './migrations.ts';
import type { BackoffEntry, LeaseStore, LeaseTerm, StateStore } from './store.ts';

export interface PostgresOptions {
  url: string;
  /** Longest a statement (and a connection attempt) may take: a hung database must not hang renewal. */
  timeoutMs: number;
}

/** Durable, shared state and the lease, in one PostgreSQL database. */
export class PostgresStateStore implements StateStore, LeaseStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects lazily: the pool reconnects by itself once an unreachable database comes back. */
  static open(options: PostgresOptions): PostgresStateStore {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 4,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      idleTimeoutMillis: 30_000,
    });
    pool.on('error', () => {}); // an idle connection that dies is dropped; the next query reports
    const store = new PostgresStateStore(pool);
    return store;
  }

  migrate(): Promise<number> {
    return migrate(this.#pool);
  }

  async acquire(name: string, holder: string, durationMs: number): Promise<LeaseTerm | undefined> {
    const { rows } = await this.#pool.query<{ fencing: string }>(
      `INSERT INTO fulfillment_lease AS l (name, holder, fencing, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder, fencing = l.fencing + 1, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= now()
       RETURNING fencing`,
      [name, holder, durationMs],
    );
    return rows[0] ? { fencing: Number(rows[0].fencing) } : undefined;
  }

  async renew(name: string, holder: string, term: LeaseTerm, durationMs: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE fulfillment_lease SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND fencing = $3 AND expires_at > now()`,
      [name, holder, term.fencing, durationMs],
    );
    return rowCount === 1;
  }

  async release(name: string, holder: string, term: LeaseTerm): Promise<void> {
    await this.#pool.query(
      `UPDATE fulfillment_lease SET expires_at = now() WHERE name = $1 AND holder = $2 AND fencing = $3`,
      [name, holder, term.fencing],
    );
  }

  async getBackoff(requestId: string): Promise<BackoffEntry | undefined> {
    const { rows } = await this.#pool.query<{
      failures: number;
      not_before_ms: string;
      last_error: string | null;
    }>('SELECT failures, not_before_ms, last_error FROM fulfillment_backoff WHERE request_id = $1', [
      requestId,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      failures: row.failures,
      notBefore: Number(row.not_before_ms),
      ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    };
  }

  async setBackoff(requestId: string, entry: BackoffEntry): Promise<void> {
    await this.#pool.query(
      `INSERT INTO fulfillment_backoff (request_id, failures, not_before_ms, last_error) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id) DO UPDATE
         SET failures = EXCLUDED.failures, not_before_ms = EXCLUDED.not_before_ms, last_error = EXCLUDED.last_error`,
      [requestId, entry.failures, Math.round(entry.notBefore), entry.lastError ?? null],
    );
  }

  async deleteBackoff(requestId: string): Promise<void> {
    await this.#pool.query('DELETE FROM fulfillment_backoff WHERE request_id = $1', [requestId]);
  }

  async recordOutcome(requestId: string, outcome: Outcome): Promise<void> {
    await this.#pool.query(
      `INSERT INTO fulfillment_outcome (request_id, outcome) VALUES ($1, $2)
       ON CONFLICT (request_id) DO UPDATE SET outcome = EXCLUDED.outcome, recorded_at = now()`,
      [requestId, JSON.stringify(outcome)],
    );
  }

  async recordedOutcome(requestId: string): Promise<Outcome | undefined> {
    const { rows } = await this.#pool.query<{ outcome: Outcome }>(
      'SELECT outcome FROM fulfillment_outcome WHERE request_id = $1',
      [requestId],
    );
    return rows[0]?.outcome;
  }

  async clearOutcome(requestId: string): Promise<void> {
    await this.#pool.query('DELETE FROM fulfillment_outcome WHERE request_id = $1', [requestId]);
  }

  async retainOnly(pending: ReadonlySet<string>): Promise<void> {
    const ids = [...pending];
    await this.#pool.query('DELETE FROM fulfillment_backoff WHERE NOT (request_id = ANY($1))', [ids]);
    await this.#pool.query('DELETE FROM fulfillment_outcome WHERE NOT (request_id = ANY($1))', [ids]);
  }

  async backoffCount(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM fulfillment_backoff');
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
