/**
 * The decode thread (issue 24): its own zxing-wasm instance (loaded from node_modules, as on
 * the main thread), reading the frames the capture thread hands it one at a time. It says
 * `ready` to the capture thread when it is free (once ZXing is loaded, then after each frame),
 * so the capture thread always gives it the newest frame, and it answers each frame to the main
 * thread with the code's bytes or null. Decoding here keeps the main event loop (the serial
 * scanner, the screen, the station client) free of the tens of milliseconds a frame costs.
 * @module
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadZxingReader } from '../image/zxing-loader.js';
import { epochNow, type DecoderReady, type FrameDecoded, type FrameForDecode } from './camera-messages.js';
import { CameraFrameDecoder } from './frame-decoder.js';

/**
 * How much lower than the rest of roadscan this thread runs (nice +5: a third of the CPU share). On a busy board the
 * decoder is what gives way: the capture child and thread keep the clip's clock, and the main
 * thread (serial scans, screen, station) keeps its latency; a starved decoder only drops more
 * frames, and still decodes the newest. Linux sets a thread's niceness by its thread id.
 */
const DECODE_NICENESS = 5;

function lowerThisThread(niceness: number): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) setPriority(tid, niceness);
  } catch {
    // not Linux, or not allowed: the decoder runs at the process's priority
  }
}

lowerThisThread(DECODE_NICENESS);
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
  const out: FrameDecoded = { t: 'decoded', run: f.run, seq: f.seq, at: f.at, sentAt: f.sentAt, startedAt, ms: epochNow() - startedAt, bytes };
  main.postMessage(out);
  capture.postMessage(ready);
});

// Warmed up on a blank frame: the first decode compiles the WebAssembly's hot paths (hundreds of
// milliseconds), which a camera's first real frame should not wait for.
await loadZxingReader();
await new CameraFrameDecoder().decode({ data: new Uint8Array(640 * 480).fill(128), width: 640, height: 480 });
capture.postMessage(ready);
