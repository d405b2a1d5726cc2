/**
 * The decode thread (issue 24): its own zxing-wasm instance (loaded from node_modules, as on
 * the main thread), reading the frames the capture thread hands it one at a time. It says
 * `ready` to the capture thread when it is free (once ZXing is loaded, then after each frame),
 * so the capture thread always gives it the newest frame, and it answers each frame to the main
 * thread with the code's bytes or null. Decoding here keeps the main event loop (the serial
 * scanner, the screen, the station client) free of the tens of milliseconds a frame costs.
 * @module
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadZxingReader } from '../image/zxing-loader.js';
import { epochNow, type DecoderReady, type FrameDecoded, type FrameForDecode } from './camera-messages.js';
import { CameraFrameDecoder } from './frame-decoder.js';

const main = parentPort!;
const capture = (workerData as { capture: MessagePort }).capture;
const decoder = new CameraFrameDecoder();
const ready: DecoderReady = { t: 'ready' };

capture.on('message', async (f: FrameForDecode) => {
  const startedAt = epochNow();
  let bytes: Uint8Array | null = null;
  try {
    bytes = await decoder.decode({ data: f.data, width: f.width, height: f.height });
  } catch {
    bytes = null; // a decoder failure on one frame is that frame's loss, never the camera's
  }
  const out: FrameDecoded = { t: 'decoded', run: f.run, seq: f.seq, at: f.at, startedAt, ms: epochNow() - startedAt, bytes };
  main.postMessage(out);
  capture.postMessage(ready);
});

// Warmed up on a blank frame: the first decode compiles the WebAssembly's hot paths (hundreds of
// milliseconds), which a camera's first real frame should not wait for.
await loadZxingReader();
await new CameraFrameDecoder().decode({ data: new Uint8Array(640 * 480).fill(128), width: 640, height: 480 });
capture.postMessage(ready);
