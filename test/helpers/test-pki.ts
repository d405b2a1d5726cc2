/**
 * A throw-away public-key infrastructure made by the openssl command line for one test run: a
 * CA, a server certificate for 127.0.0.1 and client certificates named after devices, so the
 * mutual-TLS tests exercise real certificate chains, including one from a CA nobody trusts; and a
 * self-signed server certificate for the HTTPS tests that give the CA explicitly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function pem(dir: string, name: string): Pem {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

/** A new P-256 key and a self-signed certificate for it, valid two days, as `dir/name.key` and `.crt`. */
function selfSigned(dir: string, name: string, cn: string, extensions: string[]): Pem {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return pem(dir, name);
}

/** A self-signed CA named `name`, in `dir`. */
export function makeCa(dir: string, name: string): Pem {
  return selfSigned(dir, name, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A server certificate for the address `cn` (127.0.0.1) that is also its own CA: HTTPS with the CA given explicitly. */
export function makeSelfSigned(dir: string, cn = '127.0.0.1'): Pem {
  return selfSigned(dir, cn, cn, [`subjectAltName=IP:${cn}`, 'basicConstraints=critical,CA:TRUE']);
}

/** A certificate with common name `cn` signed by `ca`: a server's (IP SAN) or a client's. */
export function issue(dir: string, ca: Pem, name: string, cn: string, use: 'server' | 'client'): Pem {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${cn}`]);
  writeFileSync(
    ext,
    use === 'server' ? `subjectAltName=IP:${cn}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n` : 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', join(dir, `${name}.crt`), '-days', '2', '-extfile', ext]);
  return pem(dir, name);
}
