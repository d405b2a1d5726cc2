/**
 * The TLS material of the audit upload, read from the files the configuration names: the
 * collector's CA (whom the device trusts) and the device's own client certificate and key (how
 * the collector knows who posts). One place for `run`, `audit upload` and `config check`, so
 * each refuses the same half-configured identity (a certificate without its key, a key that
 * does not match) with the same one-line reason.
 * @module
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface UploadTlsFiles {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
}

export interface UploadTls {
  ca?: Buffer;
  clientCert?: Buffer;
  clientKey?: Buffer;
}

/** A configured identity that cannot be used; the message is one line naming the file. */
export class UploadIdentityError extends Error {
  override readonly name = 'UploadIdentityError';
}

function read(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UploadIdentityError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Reads and cross-checks the files; throws UploadIdentityError. */
export function readUploadTls(files: UploadTlsFiles): UploadTls {
  const out: UploadTls = {};
  if (files.caFile) {
    out.ca = read('audit.uploadCaFile', files.caFile);
    try {
      new X509Certificate(out.ca);
    } catch {
      throw new UploadIdentityError(`audit.uploadCaFile: expected a PEM certificate in ${files.caFile}`);
    }
  }
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw new UploadIdentityError('audit.uploadCertFile: goes with audit.uploadKeyFile: set both or neither');
  }
  if (files.certFile && files.keyFile) {
    const cert = read('audit.uploadCertFile', files.certFile);
    const key = read('audit.uploadKeyFile', files.keyFile);
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(cert);
    } catch {
      throw new UploadIdentityError(`audit.uploadCertFile: expected a PEM certificate in ${files.certFile}`);
    }
    let publicOfKey: string;
    try {
      publicOfKey = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      throw new UploadIdentityError(`audit.uploadKeyFile: expected an unencrypted PEM private key in ${files.keyFile}`);
    }
    if (publicOfKey !== x509.publicKey.export({ type: 'spki', format: 'pem' }).toString()) {
      throw new UploadIdentityError(`audit.uploadKeyFile: ${files.keyFile} is not the key of ${files.certFile}`);
    }
    out.clientCert = cert;
    out.clientKey = key;
  }
  return out;
}
