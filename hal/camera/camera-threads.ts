/**
 * Starting the camera's capture and decode threads (issue 24) and joining them with channels of
 * their own, so frames go from one to the others without passing the main event loop.
 *
 * A worker thread runs a JavaScript file, and the sources are TypeScript, so the threads' code
 * is looked for where it is compiled: beside this module (the compiled tree, `dist/hal/camera/`,
 * as the bench and an installed unit run it), beside the CLI bundle (`dist/bundle/` chunks: the
 * compiled tree is installed with it), or in `dist/` of the checkout (the sources under vitest,
 * whose setup rebuilds `dist/` when a source is newer).
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { DecoderRole } from './camera-messages.js';

const PLACES = ['./', '../hal/camera/', '../../dist/hal/camera/'];

/** The compiled thread script `name` (e.g. `capture-worker.js`); throws when it is not built. */
export function threadScript(name: string, from: string = import.meta.url): URL {
  for (const place of PLACES) {
    const url = new URL(`${place}${name}`, from);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`camera thread ${name} not built: run \`npm run build\``);
}

export interface CameraThreads {
  capture: Worker;
  /** The decode threads: `quick`, then `thorough` (camera-messages.ts, `DecoderRole`). */
  decoders: Worker[];
  /** Ends both threads (the capture thread's child must be stopped first). */
  terminate(): Promise<void>;
}

/**
 * The capture thread and the decode threads, joined; none keeps the process alive by itself.
 * The decoders warm up on frames of `frameSize` (the camera's) before they take a real one.
 */
export function startCameraThreads(frameSize: { width: number; height: number }, roles: readonly DecoderRole[] = ['quick', 'thorough']): CameraThreads {
  const channels = roles.map(() => new MessageChannel());
  // Small heaps: a thread holds a frame or two and its decoder, never a backlog.
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
  const toDecoders = channels.map((c) => c.port1);
  const capture = new Worker(threadScript('capture-worker.js'), { workerData: { decoders: toDecoders }, transferList: toDecoders, resourceLimits });
  const decoders = roles.map(
    (role, i) =>
      new Worker(threadScript('decode-worker.js'), {
        workerData: { capture: channels[i]!.port2, role, warmUp: { width: frameSize.width, height: frameSize.height } },
        transferList: [channels[i]!.port2],
        resourceLimits,
      }),
  );
  for (const w of [capture, ...decoders]) w.unref();
  return {
    capture,
    decoders,
    async terminate() {
      await Promise.all([capture, ...decoders].map((w) => w.terminate()));
    },
  };
}
