/**
 * The signed documents sync accepted (the trust list and the rules documents, docs/STATUS-LIST.md
 * "Signed documents"), kept in the device's database: sync writes them (`writeSynced`, inside
 * the transaction that switches to the new list, so a sync changes all of it or none), every
 * command and the service read them (`trustJson`, `rules`). All the SQL of those rows is here.
 *
 * The rows live beside the status list's state (`status_state.trust_*`, `rules_data`, created
 * by status/list's migrations, which the caller has run) so that one small transaction switches
 * list, trust and rules together; moving them to tables of their own would need a data
 * migration. This store imports nothing above the database, so sync (status/) can use it.
 * What does not parse at rest (damaged) is not held: the configured document stays in force.
 * @module
 */
import type { Db } from '../store/database.js';

/** A rules document as held: its version and parsed payload. */
export interface HeldRulesRow {
  version: number;
  json: unknown;
}

/** What one sync accepted, to be kept (payloads as signed, the signed documents' SHA-256). */
export interface SyncedDocuments {
  trust: { json: string; version: number; sha256: Buffer } | null;
  rules: readonly { name: string; version: number; json: string; sha256: Buffer }[];
}

interface TrustRow {
  trust_json: string | null;
  trust_version: number | null;
  trust_sha256: Buffer | null;
}

export class SignedStore {
  /** `db` has the status list's tables (status/list migrateStatusList); on one without them, reads throw. */
  constructor(private readonly db: Db) {}

  /** The trust list sync accepted last (parsed JSON), or null: none, or damaged at rest. */
  trustJson(): unknown | null {
    const json = this.trustRow().trust_json;
    if (json === null) return null;
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return null;
    }
  }

  trustVersion(): number | null {
    return this.trustRow().trust_version;
  }

  /** SHA-256 of the signed trust document accepted last (the same file is not fetched again). */
  trustSha256(): Buffer | null {
    const sha = this.trustRow().trust_sha256;
    return sha ? Buffer.from(sha) : null;
  }

  /** The rules documents sync accepted (parsed payloads), by name; a row damaged at rest is left out. */
  rules(): Map<string, HeldRulesRow> {
    const out = new Map<string, HeldRulesRow>();
    const rows = this.db.prepare('SELECT name, version, json FROM rules_data ORDER BY name').all() as { name: string; version: number; json: string }[];
    for (const r of rows) {
      try {
        out.set(r.name, { version: r.version, json: JSON.parse(r.json) as unknown });
      } catch {
        // Damaged at rest: not rules data; the configured one stays in force.
      }
    }
    return out;
  }

  /** Keeps what a sync accepted. Call it inside the sync's switching transaction; a null trust keeps the held one. */
  writeSynced(docs: SyncedDocuments, atMs: number): void {
    if (docs.trust) {
      this.db
        .prepare('UPDATE status_state SET trust_json = ?, trust_version = ?, trust_sha256 = ? WHERE id = 1')
        .run(docs.trust.json, docs.trust.version, docs.trust.sha256);
    }
    const put = this.db.prepare(
      `INSERT INTO rules_data (name, version, json, sha256, accepted_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET version = excluded.version, json = excluded.json, sha256 = excluded.sha256,
         accepted_ms = excluded.accepted_ms`,
    );
    for (const r of docs.rules) put.run(r.name, r.version, r.json, r.sha256, atMs);
  }

  /** Forgets every synced document (`provision --replace-trust`); inside the caller's transaction. */
  forget(): void {
    this.db.prepare('UPDATE status_state SET trust_json = NULL, trust_version = NULL, trust_sha256 = NULL WHERE id = 1').run();
    this.db.prepare('DELETE FROM rules_data').run();
  }

  private trustRow(): TrustRow {
    return this.db.prepare('SELECT trust_json, trust_version, trust_sha256 FROM status_state WHERE id = 1').get() as TrustRow;
  }
}
