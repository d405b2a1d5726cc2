/**
 * The capture thread (issue 24): runs the camera's child (ffmpeg, rpicam-vid) and reads its pipe
 * as fast as the child writes, always, whatever the main thread or the decoders are doing. Each
 * whole frame is stamped with its arrival instant and offered to each decode thread (`quick`
 * and `thorough`, decode-worker.ts): a free one gets it at once, a busy one keeps it in its one
 * waiting slot, replacing the frame there; a frame replaced in every slot it was in, unread, is
 * counted as dropped. So the child never blocks on a full pipe, no frame queue grows, and each
 * decoder always gets the newest frame. The bytes are transferred to the decoder (copied once
 * when both decoders take the same frame).
 *
 * The child runs under `prlimit --data` when a memory bound is given (its heap, whatever input
 * it is fed), so a hostile file costs the child an allocation failure, not the board its memory.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FrameAssembler } from './frame-assembler.js';
import { epochNow, type FrameForDecode, type FromCapture, type ToCapture } from './camera-messages.js';
import { findProgram } from './find-program.js';

const port = parentPort!;
const post = (m: FromCapture) => port.postMessage(m);

/** A frame offered to the decoders: in how many waiting slots it is, and whether one got it. */
interface Offered {
  frame: FrameForDecode;
  slots: number;
  taken: boolean;
}

/** One decode thread as this thread sees it: free, or busy with at most one frame waiting. */
interface DecoderSlot {
  port: MessagePort;
  free: boolean;
  waiting: Offered | null;
}

let child: ChildProcess | null = null;
let run = -1;
let dropped = 0;
let taken = 0;
const decoders: DecoderSlot[] = (workerData as { decoders: MessagePort[] }).decoders.map((p) => ({ port: p, free: false, waiting: null }));

function send(d: DecoderSlot, o: Offered): void {
  d.free = false;
  // The last decoder to take a frame gets its bytes; one taking it while another still holds it, a copy.
  const data = o.slots > 0 ? o.frame.data.slice() : o.frame.data;
  if (!o.taken) taken++;
  o.taken = true;
  const f: FrameForDecode = { ...o.frame, data, sentAt: epochNow() };
  d.port.postMessage(f, [data.buffer as ArrayBuffer]);
}

/** `o` leaves a waiting slot unsent: once it is in none and nobody took it, it is dropped. */
function release(o: Offered): void {
  o.slots--;
  if (o.slots === 0 && !o.taken) dropped++;
}

function offer(frame: FrameForDecode): void {
  const o: Offered = { frame, slots: 0, taken: false };
  for (const d of decoders) {
    if (d.waiting) release(d.waiting);
    d.waiting = o;
    o.slots++;
  }
  for (const d of decoders) if (d.free) take(d);
}

/** `d` is free: it gets its waiting frame, if that is of the current run. */
function take(d: DecoderSlot): void {
  const o = d.waiting;
  d.waiting = null;
  if (!o) {
    d.free = true;
    return;
  }
  o.slots--;
  if (o.frame.run === run) send(d, o);
  else d.free = true;
}

for (const d of decoders) d.port.on('message', () => take(d));

function start(m: Extract<ToCapture, { t: 'start' }>): void {
  run = m.run;
  for (const d of decoders) {
    if (d.waiting) release(d.waiting);
    d.waiting = null;
  }
  const program = findProgram(m.command);
  if (program === null) {
    post({ t: 'failed', run: m.run, code: 'ENOENT', message: `${m.command} not found` });
    return;
  }
  const limiter = m.memoryLimitBytes !== null ? findProgram('prlimit') : null;
  const [command, args] = limiter ? [limiter, [`--data=${m.memoryLimitBytes}`, '--', program, ...m.args]] : [program, m.args];
  const assembler = new FrameAssembler(m.layout);
  const mine = m.run;
  let seq = 0;
  const c = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  c.stdout!.on('data', (chunk: Buffer) => {
    assembler.push(chunk, (luma) => {
      const at = epochNow();
      const n = seq++;
      offer({ t: 'frame', run: mine, seq: n, at, sentAt: 0, width: m.layout.width, height: m.layout.height, data: luma });
      post({ t: 'frame', run: mine, seq: n, at, dropped, taken });
    });
  });
  c.stderr!.on('data', (d: Buffer) => post({ t: 'stderr', run: mine, text: d.toString('utf8') }));
  c.on('spawn', () => post({ t: 'spawned', run: mine, pid: c.pid! }));
  c.on('error', (err: NodeJS.ErrnoException) => post({ t: 'failed', run: mine, code: err.code ?? 'ERROR', message: err.message }));
  c.on('close', (code, signal) => {
    if (child === c) child = null;
    post({ t: 'closed', run: mine, code, signal });
  });
}

port.on('message', (m: ToCapture) => {
  if (m.t === 'start') start(m);
  else if (m.t === 'kill' && m.run === run && child && child.exitCode === null && child.signalCode === null) child.kill(m.signal);
});
