import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedChecker } from '../../firmware-ts/app/shipped-checker.js';
import { stationLabel } from '../../firmware-ts/app/status-strip.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { runCli } from '../helpers/cli.js';
import { rulesCases } from '../helpers/rules-1-1-cases.js';

const authority = TestAuthority.create();
const cases = rulesCases(authority);
let dir: string;
let trustFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-rules-1-1-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(authority.trustList()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spec 1.1 verdict rules through the library', () => {
  for (const k of cases) {
    it(k.name, () => {
      const r = shippedChecker({ trust: authority.trustList(), profile: k.profile }).check(k.text, { nowSec: Date.parse(k.nowIso) / 1000, reliable: true });
      expect(r.reasons).toEqual([...k.reasons, 'STATUS_LIST_STALE']);
    });
  }
});

describe('spec 1.1 verdict rules through roadscan verify', () => {
  it('answers every case as the library does, one process per instant and profile', async () => {
    const groups = new Map<string, typeof cases>();
    for (const k of cases) groups.set(`${k.profile} ${k.nowIso}`, [...(groups.get(`${k.profile} ${k.nowIso}`) ?? []), k]);
    let n = 0;
    for (const group of groups.values()) {
      const { profile, nowIso } = group[0]!;
      const args = ['verify', '--json', '--trust', trustFile, '--db', join(dir, `g${n++}.db`), '--now', nowIso, '--profile', profile, '--region', '110105'];
      const res = await runCli(args, { input: group.map((k) => k.text).join('\n') + '\n' });
      expect(res.stderr).toBe('');
      const answers = res.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(answers).toHaveLength(group.length);
      group.forEach((k, i) => {
        expect({ name: k.name, reasons: answers[i].reasons }).toEqual({ name: k.name, reasons: [...k.reasons, 'STATUS_LIST_STALE'] });
      });
    }
  });
});

describe('the station name from the configuration', () => {
  it('shows beside the code of a ticket leaving from this station, through roadscan verify', async () => {
    const config = join(dir, 'station.json');
    writeFileSync(config, JSON.stringify({ profile: 'window', station: { code: 'S110105001', name: '北京六里桥客运主枢纽\u202e' } }));
    const now = Date.parse('2026-11-20T10:00:00+08:00') / 1000;
    const here = authority.code({ type: 'TK', now }).text;
    const elsewhere = authority.code({ type: 'TK', now, dat: { frm: 'S120101002' } }).text;
    const res = await runCli(['verify', '--json', '--config', config, '--trust', trustFile, '--db', join(dir, 'station.db'), '--now', '2026-11-20T10:00:00+08:00'], {
      input: `${here}\n${elsewhere}\n`,
    });
    const [a, b] = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).fields);
    expect(a).toMatchObject({ from: 'S110105001', fromName: '北京六里桥客运主枢纽' });
    expect(b.from).toBe('S120101002');
    expect(b.fromName).toBeUndefined();
  });

  it('joins the code in the status strip', () => {
    expect(stationLabel('S110105001', '北京六里桥')).toBe('S110105001 北京六里桥');
    expect(stationLabel('S110105001', null)).toBe('S110105001');
    expect(stationLabel(null, '北京六里桥')).toBeNull();
  });
});
