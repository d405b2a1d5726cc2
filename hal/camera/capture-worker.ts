/**
 * The capture thread (issue 24): runs the camera's child (ffmpeg, rpicam-vid) and reads its pipe
 * as fast as the child writes, always, whatever the main thread or the decoder is doing. Each
 * whole frame is stamped with its arrival instant and goes to the decode thread only if that is
 * free; otherwise it takes the one waiting slot, and the frame it replaces is counted as dropped.
 * So the child never blocks on a full pipe, no frame queue grows, and the decoder always gets
 * the newest frame. The frame's bytes are transferred to the decoder, never copied.
 *
 * The child runs under `prlimit --data` when a memory bound is given (its heap, whatever input
 * it is fed), so a hostile file costs the child an allocation failure, not the board its memory.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FrameAssembler } from './frame-assembler.js';
import { epochNow, type DecoderReady, type FrameForDecode, type FromCapture, type ToCapture } from './camera-messages.js';
import { findProgram } from './find-program.js';

const port = parentPort!;
const decoder = (workerData as { decoder: MessagePort }).decoder;
const post = (m: FromCapture) => port.postMessage(m);

let child: ChildProcess | null = null;
let run = -1;
let decoderFree = false;
let waiting: FrameForDecode | null = null;
let dropped = 0;

function sendToDecoder(f: FrameForDecode): void {
  decoderFree = false;
  f.sentAt = epochNow();
  decoder.postMessage(f, [f.data.buffer as ArrayBuffer]);
}

function offer(f: FrameForDecode): void {
  if (decoderFree) {
    sendToDecoder(f);
    return;
  }
  if (waiting) dropped++;
  waiting = f;
}

decoder.on('message', (_m: DecoderReady) => {
  const next = waiting;
  waiting = null;
  if (next && next.run === run) sendToDecoder(next);
  else decoderFree = true;
});

function start(m: Extract<ToCapture, { t: 'start' }>): void {
  run = m.run;
  waiting = null;
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
      post({ t: 'frame', run: mine, seq: n, at, dropped });
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
