/**
 * Starting the camera's capture and decode threads (issue 24) and joining them with a channel
 * of their own, so frames go from one to the other without passing the main event loop.
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
  decode: Worker;
  /** Ends both threads (the capture thread's child must be stopped first). */
  terminate(): Promise<void>;
}

/** Both threads, joined; neither keeps the process alive by itself. */
export function startCameraThreads(): CameraThreads {
  const { port1, port2 } = new MessageChannel();
  // Small heaps: a thread holds a frame or two and its decoder, never a backlog.
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
  const capture = new Worker(threadScript('capture-worker.js'), { workerData: { decoder: port1 }, transferList: [port1], resourceLimits });
  const decode = new Worker(threadScript('decode-worker.js'), { workerData: { capture: port2 }, transferList: [port2], resourceLimits });
  capture.unref();
  decode.unref();
  return {
    capture,
    decode,
    async terminate() {
      await Promise.all([capture.terminate(), decode.terminate()]);
    },
  };
}
