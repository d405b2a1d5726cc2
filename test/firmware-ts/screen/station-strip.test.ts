/** The station link on the operator screen's status strip (docs/DESIGN.md, "A station with several gates and windows"). */
import { describe, expect, it } from 'vitest';
import { buildStatusView, type ScreenStatus } from '../../../firmware-ts/screen/screen-view.js';

const BASE: ScreenStatus = {
  scanner: 'open',
  listAgeSec: 60,
  listStale: false,
  clock: 'ok',
  profile: 'gate',
  region: '110105',
  station: 'S110105001',
  pendingUploads: 0,
};
const shared = (s: ScreenStatus) => buildStatusView(s, 'en').items.find((i) => i.key === 'shared');

describe('status strip: the station link', () => {
  it('is absent on a device that works alone', () => {
    expect(shared(BASE)).toBeUndefined();
    expect(shared({ ...BASE, shared: null })).toBeUndefined();
  });

  it('says online, offline with what waits for handover, and double boardings as bad', () => {
    expect(shared({ ...BASE, shared: { connected: true, queued: 0, conflicts: 0 } })).toMatchObject({ value: 'online', level: 'ok' });
    const off = buildStatusView({ ...BASE, shared: { connected: false, queued: 3, conflicts: 0 } }, 'en');
    expect(off.items.find((i) => i.key === 'shared')).toMatchObject({ value: 'offline (own record) · 3 to hand over', level: 'warn' });
    expect(off.alert).toBe(true);
    expect(shared({ ...BASE, shared: { connected: true, queued: 0, conflicts: 2 } })).toMatchObject({ value: 'online · 2 boarded twice', level: 'bad' });
    const zh = buildStatusView({ ...BASE, shared: { connected: false, queued: 1, conflicts: 1 } }, 'zh').items.find((i) => i.key === 'shared');
    expect(zh).toMatchObject({ label: '站内联网', value: '离线（本机记录） · 待交接 1 · 重复放行 1', level: 'bad' });
  });

  it('says "station deciding alone" while linked without an answer, a full queue and a misconfigured bucket as bad', () => {
    expect(shared({ ...BASE, shared: { connected: true, queued: 2, conflicts: 0, decidingAlone: true } })).toMatchObject({
      value: 'station deciding alone · 2 to hand over',
      level: 'warn',
    });
    expect(shared({ ...BASE, shared: { connected: false, queued: 5, conflicts: 0, queueFull: true } })).toMatchObject({
      value: 'offline (own record) · 5 to hand over · handover queue full',
      level: 'bad',
    });
    expect(shared({ ...BASE, shared: { connected: false, queued: 0, conflicts: 0, bucketFault: true } })).toMatchObject({
      value: 'station store misconfigured (own record)',
      level: 'bad',
    });
  });

  it('never shows a count it cannot trust', () => {
    expect(shared({ ...BASE, shared: { connected: true, queued: Number.NaN, conflicts: -4 } })).toMatchObject({ value: 'online', level: 'ok' });
  });
});
