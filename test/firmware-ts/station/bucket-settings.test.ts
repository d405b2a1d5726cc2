/**
 * The station bucket's settings are checked against the station's, one line per setting found
 * wrong (issue 20), and a retried failure is logged at most once a minute, by the clock given.
 */
import { describe, expect, it } from 'vitest';
import { bucketMismatches } from '../../../firmware-ts/station/bucket-settings.js';
import { LogOnceAMinute } from '../../../firmware-ts/station/log-once-a-minute.js';

const want = { bucket: 'once', replicas: 3, maxAgeSec: 744 * 3600, maxValueBytes: 1024 };
const fit = { subjects: ['$KV.once.>'], max_msgs_per_subject: 1, max_age: 744 * 3600 * 1e9, max_msg_size: 1024, num_replicas: 3, discard: 'new', retention: 'limits' };

describe('bucketMismatches', () => {
  it('accepts the bucket the station configures, and one that keeps records longer or for ever', () => {
    expect(bucketMismatches(fit, want)).toEqual([]);
    expect(bucketMismatches({ ...fit, max_age: 0 }, want)).toEqual([]);
    expect(bucketMismatches({ ...fit, max_age: 800 * 3600 * 1e9 }, want)).toEqual([]);
  });

  it('names every setting that would let a ticket board twice unseen', () => {
    expect(bucketMismatches({ ...fit, max_age: 3e9 }, want)).toEqual(['max_age 3s, needs at least 2678400s']);
    expect(bucketMismatches({ ...fit, max_msgs_per_subject: 5 }, want)).toEqual(['history 5, needs 1']);
    expect(bucketMismatches({ ...fit, max_msg_size: -1 }, want)).toEqual(['max_value_size unlimited, needs at most 1024 B']);
    expect(bucketMismatches({ ...fit, num_replicas: 1 }, want)).toEqual(['replicas 1, needs 3']);
    expect(bucketMismatches({ ...fit, discard: 'old' }, want)).toEqual(['discard old, needs new']);
    expect(bucketMismatches({ ...fit, subjects: ['$KV.once.>', 'other.>'] }, want)).toEqual(['subjects ["$KV.once.>","other.>"], needs ["$KV.once.>"]']);
    expect(bucketMismatches({}, want)).toHaveLength(5);
  });
});

describe('LogOnceAMinute', () => {
  it('writes a kind of warning at most once a minute, then says how many it stood for', () => {
    let now = 0;
    const lines: [object, string][] = [];
    const log = new LogOnceAMinute({ warn: (o, m) => lines.push([o, m]) }, 60_000, () => now);
    for (let s = 0; s < 120; s++) {
      now = s * 1000;
      log.warn('retry', { n: s }, 'station handover failed');
    }
    log.warn('other', {}, 'another kind');
    expect(lines.map(([, m]) => m)).toEqual(['station handover failed', 'station handover failed', 'another kind']);
    expect(lines[1]![0]).toEqual({ n: 60, repeatsNotLogged: 59 });
  });
});
