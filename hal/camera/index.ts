/**
 * The camera as a scanner (issue 12): frames from a V4L2 device, a Raspberry Pi camera, or a
 * video file or folder of pictures played as one, decoded into QR texts that take the serial
 * scanner's path. Code outside `hal/camera/` imports this file only.
 * @module
 */
export {
  CameraScanner,
  describeCameraFailure,
  type CameraScannerOptions,
  type CameraStats,
  type CameraTrace,
  type EndMeaning,
  type FrameDecoder,
  type GreyFrame,
} from './camera-scanner.js';
export { createCameraScanner, classifyDevice, onPath, type CameraOptions } from './camera-factory.js';
export { captureCommand, MAX_PICTURES, sourceName, type CameraSource, type CaptureCommand, type CaptureSettings } from './camera-source.js';
export { CameraFrameDecoder, type FramePass, type FrameDecodeOutcome } from './frame-decoder.js';
export { FrameAssembler, frameBytes, type FrameLayout } from './frame-assembler.js';
export { RepeatFilter } from './repeat-filter.js';
export { PictureGate, pictureRefusal, PICTURE_CAPS, type PictureCaps, type PictureRefusal } from './picture-gate.js';
export { CHILD_MEMORY_BYTES, failedInput } from './camera-source.js';
