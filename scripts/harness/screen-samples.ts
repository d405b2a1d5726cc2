/**
 * Example verdicts for the operator screen's screenshots and benchmark. The fields are shaped and
 * masked the way `displayFields` produces them, with made-up people and vehicles.
 * @module
 */
import type { ScreenScan, ScreenStatus } from '../../firmware-ts/screen/screen-view.js';

/** 2026-11-20 10:00:03 CST. */
export const SAMPLE_AT_SEC = Date.UTC(2026, 10, 20, 2, 0, 3) / 1000;

export const SAMPLE_SCANS: Readonly<Record<'accept' | 'warn' | 'reject', ScreenScan>> = {
  accept: {
    verdict: 'accept',
    reasons: [],
    type: 'DL',
    fields: {
      name: '张*明',
      idNumber: '110***********1234',
      licenceNo: '110***********1234',
      classes: 'C1,D',
      firstIssued: '2015-03-02',
      validity: '2021-06-01..2027-06-01',
      office: '北京市公安局公安交通管理局',
      issuer: 'CN-MPS-110000',
      validUntil: '2026-11-20 10:03',
    },
  },
  warn: {
    verdict: 'warn',
    reasons: ['INSPECTION_OVERDUE', 'PAPER_REQUIRED'],
    type: 'VR',
    fields: {
      plate: '京A·D1234',
      plateColour: '蓝',
      vehicleType: '小型轿车',
      owner: '李*华',
      ownerKind: 'person',
      vin: '402117',
      registered: '2019-05-14',
      inspectionUntil: '2026-10-31',
      issuer: 'CN-MPS-110000',
      validUntil: '2026-11-20 10:03',
    },
  },
  reject: {
    verdict: 'reject',
    reasons: ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'],
    type: 'TK',
    fields: {
      ticket: 'T2026112000417',
      name: '王*',
      idNumber: '130***********0021',
      from: 'S110105001',
      to: '天津',
      departure: '2026-11-20 13:30',
      bus: 'K215',
      seat: '07',
      issuer: 'CN-MOT-110000',
      validUntil: '2026-11-20 13:40',
    },
  },
};

const ROADSIDE: ScreenStatus = {
  scanner: 'open',
  listAgeSec: 3 * 3600 + 120,
  listStale: false,
  clock: 'ok',
  profile: 'roadside',
  region: '110105',
  station: null,
  pendingUploads: 0,
};

/** The appliance state each sample is shown under (the ticket at a station gate). */
export const SAMPLE_STATUS: Readonly<Record<'accept' | 'warn' | 'reject', ScreenStatus>> = {
  accept: ROADSIDE,
  warn: { ...ROADSIDE, pendingUploads: 3 },
  reject: { ...ROADSIDE, profile: 'gate', station: 'S110105001', listAgeSec: 40 * 60 },
};
