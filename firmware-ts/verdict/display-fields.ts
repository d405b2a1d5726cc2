/**
 * The fields an operator needs to compare a credential with the person and vehicle in front of
 * them, per type, masked and display-safe. Keys are stable: the screen and `--json` use them.
 * @module
 */
import type { Credential } from '../codec/claims.js';
import { cstDate, cstDateTime } from '../core/cst.js';
import { displaySafe, maskId, maskName } from './display-text.js';

export type DisplayFields = Record<string, string>;

/** A DL `vto` of 9999-12-31 is a long-term licence (docs/CREDENTIALS.md section 3, 1.1). */
export const LONG_TERM_DATE = '9999-12-31';
/** How `validity` ends for a long-term licence; the screen shows it as 长期 / long-term. */
export const LONG_TERM = 'long-term';

function text(v: unknown): string {
  return typeof v === 'string' ? displaySafe(v) : '';
}

function vehicle(d: Credential['dat']): DisplayFields {
  return {
    plate: text(d.pl),
    plateColour: text(d.pc),
    vehicleType: text(d.vt),
    // An organisation's name is public (a company, an agency): masked like a person's it would be unreadable.
    owner: d.ot === 'O' ? text(d.own) : maskName(text(d.own)),
    ownerKind: d.ot === 'O' ? 'organisation' : 'person',
    vin: text(d.vin),
    registered: text(d.reg),
    inspectionUntil: text(d.ivu),
  };
}

/** The dates a VA or VD may be used: from the date of `nbf` to that of its last valid second, `exp - 1`. */
function spanValidity(c: Credential): string {
  return `${cstDate(c.nbf)}..${cstDate(Math.max(c.nbf, c.exp - 1))}`;
}

export function displayFields(c: Credential): DisplayFields {
  const d = c.dat;
  const common = { issuer: displaySafe(c.iss), validUntil: cstDateTime(c.exp) };
  switch (c.typ) {
    case 'DL':
      return {
        name: maskName(text(d.nam)),
        idNumber: maskId(text(d.idm)),
        licenceNo: maskId(text(d.lno)),
        classes: Array.isArray(d.cls) ? d.cls.map((x) => displaySafe(x, 8)).join(',') : '',
        firstIssued: text(d.fid),
        validity: `${text(d.vfr)}..${d.vto === LONG_TERM_DATE ? LONG_TERM : text(d.vto)}`,
        office: text(d.off),
        ...common,
      };
    case 'VR':
      return { ...vehicle(d), ...common };
    case 'VA':
      return {
        plate: text(d.pl),
        grantee: maskName(text(d.gnm)),
        granteeId: maskId(text(d.gid)),
        purpose: text(d.pur),
        validity: spanValidity(c),
        ...common,
      };
    case 'VD':
      return { ...vehicle(d), user: maskName(text(d.usr)), purpose: text(d.pur), validity: spanValidity(c), ...common };
    case 'TK':
      return {
        ticket: text(d.tid),
        name: maskName(text(d.nam)),
        idNumber: maskId(text(d.idm)),
        from: text(d.frm),
        to: text(d.to),
        departure: typeof d.dep === 'number' ? cstDateTime(d.dep) : '',
        bus: text(d.bus),
        seat: text(d.seat),
        ...common,
      };
  }
}
