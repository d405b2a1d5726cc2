/**
 * A decode thread (issue 24): its own zxing-wasm instance (loaded from node_modules, as on the
 * main thread), reading the frames the capture thread hands it one at a time. It says `ready` to
 * the capture thread when it is free (once ZXing is loaded, then after each frame), so the
 * capture thread always gives it the newest frame, and it answers each frame to the main thread
 * with the code's bytes or null. Decoding here keeps the main event loop (the serial scanner,
 * the screen, the station client) free of the tens of milliseconds a frame costs.
 *
 * There are two (camera-messages.ts, `DecoderRole`): `quick` runs the cheap passes on as many
 * frames as it can, `thorough` every pass on the newest frame when it is free. So a code in
 * plain view never waits behind a thorough decode of an empty frame, and a hard code still gets
 * every pass the camera had with one thread.
 * @module
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { loadZxingReader } from '../image/zxing-loader.js';
import { epochNow, type DecoderReady, type DecoderRole, type FrameDecoded, type FrameForDecode } from './camera-messages.js';
import { CameraFrameDecoder } from './frame-decoder.js';
import { warmUpFrame } from './warm-up-frame.js';

/** Decodes of the warm-up frame before the first real one (the thorough passes: 3 hard ones, in turn). */
const WARM_UP_DECODES = 4;

/**
 * How much lower than the rest of roadscan each thread runs. The quick thread (a few ms a
 * frame) keeps the process's priority, so a plain code's latency does not depend on what else
 * the board runs. The thorough thread (nice +5: a third of a normal thread's CPU share, when the
 * CPU is contended) is what gives way on a busy board: the capture child and thread keep the
 * clip's clock, the main thread (serial scans, screen, station) its latency, the quick thread
 * the frame rate; a starved thorough thread only looks at fewer frames, always the newest.
 * Linux sets a thread's niceness by its thread id.
 */
const DECODE_NICENESS: Record<DecoderRole, number> = { quick: 0, thorough: 5 };

function lowerThisThread(niceness: number): void {
  if (niceness === 0) return;
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) setPriority(tid, niceness);
  } catch {
    // not Linux, or not allowed: the decoder runs at the process's priority
  }
}

const { capture, role, warmUp } = workerData as { capture: MessagePort; role: DecoderRole; warmUp: { width: number; height: number } };
lowerThisThread(DECODE_NICENESS[role]);
const main = parentPort!;
const decoder = new CameraFrameDecoder(undefined, role === 'quick' ? 'quick' : 'all');
const ready: DecoderReady = { t: 'ready' };

capture.on('message', async (f: FrameForDecode) => {
  const startedAt = epochNow();
  let bytes: Uint8Array | null = null;
  try {
    bytes = await decoder.decode({ data: f.data, width: f.width, height: f.height });
  } catch {
    bytes = null; // a decoder failure on one frame is that frame's loss, never the camera's
  }
  const out: FrameDecoded = { t: 'decoded', by: role, run: f.run, seq: f.seq, at: f.at, sentAt: f.sentAt, startedAt, ms: epochNow() - startedAt, bytes };
  main.postMessage(out);
  capture.postMessage(ready);
});

// Warmed up on a code-like frame of the camera's size, a few times (each hard pass once): the
// first decodes compile the WebAssembly's and the frame code's hot paths (hundreds of ms, more
// under load), which a camera's first code should not wait for. A decoder of its own, so the
// warm-up leaves no code position behind.
await loadZxingReader();
const warm = new CameraFrameDecoder(undefined, role === 'quick' ? 'quick' : 'all');
const frame = warmUpFrame(warmUp.width, warmUp.height);
for (let i = 0; i < WARM_UP_DECODES; i++) await warm.decode({ ...frame, data: frame.data.slice() });
capture.postMessage(ready);
