/**
 * A real nginx (Debian's /usr/sbin/nginx) serving a folder on a free port of 127.0.0.1, with its
 * own configuration, pid file and temporary paths in a temp folder, in the foreground: tests of
 * downloads meet a real web server's ETag, Range, If-Range and 304 handling, not ours.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../sim/station/local-cluster.js';

export const NGINX = process.env.ROADSCAN_NGINX ?? '/usr/sbin/nginx';

export class Nginx {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Starts nginx serving `root`; resolves once it accepts connections (at most 10 s). */
  static async start(root: string): Promise<Nginx> {
    const dir = mkdtempSync(join(tmpdir(), 'roadscan-nginx-'));
    mkdirSync(join(dir, 'tmp'));
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const t = (n: string) => join(dir, 'tmp', n);
      writeFileSync(
        join(dir, 'nginx.conf'),
        `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${t('body')};
  proxy_temp_path ${t('proxy')};
  fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')};
  scgi_temp_path ${t('scgi')};
  types { application/octet-stream bin rss rsd cose; application/json json; }
  default_type application/octet-stream;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { }
  }
}
`,
      );
      const proc = spawn(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      for (let i = 0; i < 100; i++) {
        if (proc.exitCode !== null) break;
        const up = await new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        });
        if (up) return new Nginx(proc, dir, port);
        await sleep(100);
      }
      proc.kill('SIGKILL');
      if (attempt >= 2) {
        let log = '';
        try {
          log = readFileSync(join(dir, 'error.log'), 'utf8');
        } catch {
          // none
        }
        throw new Error(`nginx did not start: ${stderr} ${log}`);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => this.proc.once('exit', r));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
