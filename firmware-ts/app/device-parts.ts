/**
 * The device's parts the command line starts (`run`, `scanner`): the hardware, the logger, the
 * systemd notifier, the serial ports and the raw frame reader. The command line reaches them only
 * through here (test/architecture/), loaded by the commands that need them.
 * @module
 */
export { createHal } from '../../hal/index.js';
export { IndicatorError } from '../../hal/indicator/index.js';
export { listSerialPorts, type SerialPortEntry } from '../../hal/scanner/serial-ports.js';
export { RawFrameSplitter, describeRawFrame } from '../../hal/scanner/raw-frames.js';
export { createLogger } from '../log/logger.js';
export { SystemdNotifier } from '../supervisor/systemd-notify.js';
export { serviceStatusLine } from '../supervisor/service-status.js';
