/**
 * `roadscan sim audit-collector`: a local audit collector for demos and manual tests. It prints
 * each record it stores as one NDJSON line ({"log":..,"seq":..,"record":{..}}) and runs until
 * SIGINT or SIGTERM. Plain HTTP on 127.0.0.1 by default; HTTPS with --key and --cert; with
 * --client-ca it also requires each device's client certificate (mutual TLS).
 * @module
 */
import type { Command } from 'commander';

interface CollectorOptions {
  host: string;
  port: string;
  key?: string;
  cert?: string;
  clientCa?: string;
}

export function registerAuditCollector(sim: Command): void {
  sim
    .command('audit-collector')
    .description('run a local audit collector (the server end of `audit.uploadUrl`), printing records as NDJSON')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8089')
    .option('--key <file>', 'PEM private key, for HTTPS (with --cert)')
    .option('--cert <file>', 'PEM certificate, for HTTPS (with --key)')
    .option('--client-ca <file>', "PEM CA of the devices' client certificates: require one, named after the device (with --key/--cert)")
    .action(async (opts: CollectorOptions) => {
      const { readFileSync } = await import('node:fs');
      const { SetupError: UsageError } = await import('../../firmware-ts/app/setup-error.js');
      const { AuditCollector } = await import('./audit-collector.js');
      const port = Number(opts.port);
      if (!/^\d{1,5}$/.test(opts.port) || port > 65535) throw new UsageError(`--port: expected 0 to 65535, got ${JSON.stringify(opts.port)}`);
      if (Boolean(opts.key) !== Boolean(opts.cert)) throw new UsageError('--key and --cert go together');
      if (opts.clientCa && !opts.key) throw new UsageError('--client-ca needs HTTPS (--key and --cert)');
      let tls: { key: Buffer; cert: Buffer } | undefined;
      let clientCa: Buffer | undefined;
      try {
        if (opts.key && opts.cert) tls = { key: readFileSync(opts.key), cert: readFileSync(opts.cert) };
        if (opts.clientCa) clientCa = readFileSync(opts.clientCa);
      } catch (err) {
        throw new UsageError(`cannot read the key or certificate (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const collector = new AuditCollector({
        host: opts.host,
        port,
        ...(tls ? { tls } : {}),
        ...(clientCa ? { clientCa } : {}),
        onRecord: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
      });
      let url: string;
      try {
        url = (await collector.start()).url;
      } catch (err) {
        throw new UsageError(`cannot listen on ${opts.host}:${port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      process.stderr.write(`audit collector at ${url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await collector.stop();
    });
}
