/**
 * The station bucket's settings belong to the station's installed configuration, not to whichever
 * device created the bucket first (issue 20). A gate reads the bucket's stream configuration on
 * every connect and compares it here with what once-only needs; a bucket it cannot accept is a
 * fault (answers alone, STATION_OFFLINE), never used as it is: a bucket that forgets records after
 * 3 s, keeps values of any size or drops old records when full lets a ticket board twice unseen.
 *
 * `kvm.create` of @nats-io/kv 3.3.1 binds to an existing stream without comparing anything, so this
 * check is the only one. Pure: the stream configuration in, one line per setting found wrong out.
 * @module
 */

/** What once-only needs of the bucket (station.shared: replicas, record age; the value cap is fixed). */
export interface WantedBucket {
  bucket: string;
  replicas: number;
  /** The records must live at least this long, seconds (this device's own record age). */
  maxAgeSec: number;
  /** The largest value the bucket may take, bytes. */
  maxValueBytes: number;
}

/** The part of a JetStream stream configuration the check reads (as `streams.info()` returns it). */
export interface SeenStreamConfig {
  subjects?: readonly string[];
  max_msgs_per_subject?: number;
  /** Nanoseconds; 0 is "for ever". */
  max_age?: number;
  max_msg_size?: number;
  num_replicas?: number;
  discard?: string;
  retention?: string;
}

const NANOS = 1e9;

/** One line per setting that is not what once-only needs; empty when the bucket is fit. */
export function bucketMismatches(seen: SeenStreamConfig, want: WantedBucket): string[] {
  const out: string[] = [];
  const history = seen.max_msgs_per_subject ?? -1;
  if (history !== 1) out.push(`history ${history}, needs 1`);
  const ageSec = (seen.max_age ?? 0) / NANOS;
  // 0 keeps records for ever: more than enough; anything shorter than this device's own record age is not.
  if (ageSec !== 0 && ageSec < want.maxAgeSec) out.push(`max_age ${fmtSec(ageSec)}, needs at least ${fmtSec(want.maxAgeSec)}`);
  const size = seen.max_msg_size ?? -1;
  if (size < 0 || size > want.maxValueBytes) out.push(`max_value_size ${size < 0 ? 'unlimited' : `${size} B`}, needs at most ${want.maxValueBytes} B`);
  if ((seen.num_replicas ?? 1) !== want.replicas) out.push(`replicas ${seen.num_replicas ?? 1}, needs ${want.replicas}`);
  if (seen.discard !== 'new') out.push(`discard ${seen.discard ?? 'old'}, needs new`);
  if (seen.retention !== undefined && seen.retention !== 'limits') out.push(`retention ${seen.retention}, needs limits`);
  const subjects = seen.subjects ?? [];
  const own = `$KV.${want.bucket}.>`;
  if (subjects.length !== 1 || subjects[0] !== own) out.push(`subjects ${JSON.stringify(subjects).slice(0, 120)}, needs ["${own}"]`);
  return out;
}

function fmtSec(sec: number): string {
  return Number.isInteger(sec) ? `${sec}s` : `${sec.toFixed(3)}s`;
}
