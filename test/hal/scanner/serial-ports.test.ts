/**
 * `scanner list`'s entries from what SerialPort.list() answers: USB descriptors come from whoever
 * made the device, so every text is one safe line; the by-id link comes from the folder when there
 * is one, else from udev's name; entries without a /dev path are not serial devices.
 */
import { describe, expect, it } from 'vitest';
import { entriesOf } from '../../../hal/scanner/serial-ports.js';

describe('serial port entries', () => {
  it('keeps vendor, ids, serial and the by-id link, made safe; sorted by path', () => {
    const entries = entriesOf(
      [
        { path: '/dev/ttyUSB0', manufacturer: 'Evil\u001b[2J\nCorp\u202e', vendorId: '1a86', productId: '7523', serialNumber: 'S\u0000N1', pnpId: 'usb-Evil_Corp-if00' },
        { path: '/dev/ttyACM0', manufacturer: 'Honeywell', vendorId: '0c2e', productId: '0b61', serialNumber: '18012B5E3A', pnpId: 'usb-Honeywell_Scanner-if00' },
        { path: 'COM3' },
      ],
      new Map([['/dev/ttyACM0', '/dev/serial/by-id/usb-Honeywell_Imaging_Scanner_18012B5E3A-if00']]),
      (p) => p === '/dev/ttyACM0',
    );
    expect(entries.map((e) => e.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0']);
    expect(entries[0]).toEqual({
      path: '/dev/ttyACM0',
      byId: '/dev/serial/by-id/usb-Honeywell_Imaging_Scanner_18012B5E3A-if00',
      vendor: 'Honeywell',
      vendorId: '0c2e',
      productId: '0b61',
      serialNumber: '18012B5E3A',
      access: true,
    });
    expect(entries[1]!.byId).toBe('/dev/serial/by-id/usb-Evil_Corp-if00');
    expect(entries[1]!.access).toBe(false);
    for (const text of [entries[1]!.vendor, entries[1]!.serialNumber]) expect(text).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
  });
});
