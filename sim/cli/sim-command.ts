/**
 * `roadscan sim ...`: the test authority on the command line. Makes keys and a trust list, and
 * any code a test or a demo needs, sound or broken on purpose, in one command.
 * @module
 */
import { Command, Option } from 'commander';
import { CREDENTIAL_TYPES, type CredentialType } from '../../firmware-ts/codec/claims.js';
import { parseInstant } from '../../firmware-ts/app/runtime.js';
import { SetupError as UsageError } from '../../firmware-ts/app/setup-error.js';
import { parseIsoInstant } from '../../firmware-ts/verify/trust-list.js';
import { registerAuditCollector } from '../audit/collector-command.js';
import { registerStatusSim } from '../status/status-sim-commands.js';

interface IssueOptions {
  dir: string;
  now?: string;
  bare?: boolean;
  age: string;
  days?: string;
  nbf?: string;
  exp?: string;
  iat?: string;
  flaw?: string;
  uncompressed?: boolean;
  untagged?: boolean;
  kidUnprotected?: boolean;
  holderAlg?: 'EdDSA' | 'SM2';
  set: string[];
  json?: boolean;
}

/** An `--expires` given as the spec writes an instant (docs/CREDENTIALS.md section 5). */
export function isoInstantOption(name: string, v: string): string {
  if (parseIsoInstant(v) === null) throw new UsageError(`--${name}: not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SSZ), got ${JSON.stringify(v)}`);
  return v;
}

function intOption(name: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name}: expected an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function parseSet(pairs: string[]): Record<string, unknown> {
  const dat: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq < 1) throw new UsageError(`--set: expected key=value, got ${JSON.stringify(p)}`);
    const key = p.slice(0, eq);
    const value = p.slice(eq + 1);
    dat[key] = key === 'cls' ? value.split(',') : key === 'dep' ? intOption('set dep', value) : key === 'ref' ? Buffer.from(value, 'hex') : value;
  }
  return dat;
}

export function register(program: Command): void {
  const sim = program.command('sim').description('the simulator and test authority (test keys only)');
  registerAuditCollector(sim);
  registerStatusSim(sim);

  sim
    .command('init')
    .description('create a test authority (issuer, ticketing, status-list and holder keys, an offline k-of-n root in its own files) and its trust list')
    .argument('<dir>', 'folder to write authority.json, root/ and trust.json into')
    .option('--root-keys <n>', 'keys of the root (docs/STATUS-LIST.md "Signed documents")', '3')
    .option('--threshold <k>', 'signatures of distinct root keys a trust list or rules document needs', '2')
    .option('--no-root', 'a version-1 trust list without root (only configuration can replace it)')
    .option('--expires <iso>', "the trust list's expires (spec 1.2; default: 90 days from now)")
    .addOption(
      new Option('--alg <alg>', 'signature algorithm of every key: Ed25519, or SM2 with SM3 (docs/CREDENTIALS.md section 2)').choices(['EdDSA', 'SM2']).default('EdDSA'),
    )
    .action(async (dir: string, opts: { rootKeys: string; threshold: string; root: boolean; expires?: string; alg: 'EdDSA' | 'SM2' }) => {
      const { TestAuthority } = await import('../authority/test-authority.js');
      const { saveAuthority } = await import('../authority/authority-store.js');
      const { generateRoot } = await import('../authority/root-keys.js');
      let root;
      try {
        root = opts.root ? generateRoot(intOption('root-keys', opts.rootKeys), intOption('threshold', opts.threshold), opts.alg) : undefined;
      } catch (err) {
        throw new UsageError(`--root-keys/--threshold: ${(err as Error).message}`);
      }
      const expires = opts.expires === undefined ? undefined : isoInstantOption('expires', opts.expires);
      const files = saveAuthority(dir, TestAuthority.create(opts.alg), root, expires);
      process.stdout.write(`${files.authorityFile}\n${files.trustFile}\n`);
    });

  sim
    .command('issue')
    .description('print the QR text of a credential (a live code for types with a holder key)')
    .addOption(new Option('--type <type>', 'credential type').choices([...CREDENTIAL_TYPES]).makeOptionMandatory())
    .requiredOption('--dir <dir>', 'the test authority folder (roadscan sim init)')
    .option('--now <iso>', 'instant the code is made for (default: now)')
    .option('--bare', 'the credential alone, without the live wrapper')
    .option('--age <sec>', 'age of the live code at --now, seconds (negative: from the future)', '5')
    .option('--days <n>', 'validity in days from nbf')
    .option('--iat <iso>', 'issued-at instant (default: a day before --now)')
    .option('--nbf <iso>', 'not-before instant (default: iat)')
    .option('--exp <iso>', 'expiry instant')
    .addOption(
      new Option('--flaw <flaw>', 'break the code on purpose').choices([
        'issuer-signature',
        'holder-signature',
        'unknown-issuer',
        'wrong-issuer',
        'alg-mismatch',
        'holder-alg-mismatch',
      ]),
    )
    .addOption(new Option('--holder-alg <alg>', "the holder key's algorithm (default: the authority's)").choices(['EdDSA', 'SM2']))
    .option('--uncompressed', 'no zlib')
    .option('--untagged', 'COSE without tag 18')
    .option('--kid-unprotected', 'kid in the unprotected header')
    .option('--set <key=value>', 'set a dat field (repeatable; cls comma-separated, ref hex)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--json', 'print {text, statusKey, cti} as JSON')
    .action(async (opts: IssueOptions & { type: CredentialType }) => {
      const { loadAuthority } = await import('../authority/authority-store.js');
      let authority;
      try {
        authority = loadAuthority(opts.dir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const now = Math.floor((opts.now ? parseInstant(opts.now) : Date.now()) / 1000);
      const sec = (iso: string | undefined) => (iso === undefined ? undefined : Math.floor(parseInstant(iso) / 1000));
      const iat = sec(opts.iat) ?? now - 86400;
      const nbf = sec(opts.nbf) ?? iat;
      const code = authority.code({
        type: opts.type,
        now,
        live: opts.bare ? false : undefined,
        genAgeSec: intOption('age', opts.age),
        iat,
        nbf,
        exp: sec(opts.exp) ?? (opts.days !== undefined ? nbf + intOption('days', opts.days) * 86400 : undefined),
        dat: parseSet(opts.set),
        compress: !opts.uncompressed,
        tagged: !opts.untagged,
        kidUnprotected: !!opts.kidUnprotected,
        flaw: opts.flaw as never,
        ...(opts.holderAlg ? { holder: authority.holderOf(opts.holderAlg) } : {}),
      });
      process.stdout.write(
        opts.json ? `${JSON.stringify({ text: code.text, statusKey: code.statusKey, cti: Buffer.from(code.cti).toString('hex'), iss: code.iss })}\n` : `${code.text}\n`,
      );
    });
}
