import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { generate } from 'selfsigned';

/** Where the simulator's certificate lives. Processes that call the simulator trust it via NODE_EXTRA_CA_CERTS. */
export const DEFAULT_CERT_DIR = resolve(process.env['SIM_CERT_DIR'] ?? join(process.cwd(), '.data', 'certs'));

export interface SimCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/**
 * Returns the simulator's self-signed certificate (SAN localhost, 127.0.0.1, ::1), generating it when it is missing
 * or expires within a day. Generate it before starting any process that must trust it: Node reads
 * NODE_EXTRA_CA_CERTS only at start.
 */
export async function ensureCertificate(dir = DEFAULT_CERT_DIR): Promise<SimCertificate> {
  const certPath = join(dir, 'sim-cert.pem');
  const keyPath = join(dir, 'sim-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    const validTo = new Date(new X509Certificate(cert).validTo).getTime();
    if (validTo - Date.now() > 24 * 3600_000)
      return { certPath, keyPath, cert, key: readFileSync(keyPath, 'utf8') };
  }
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'Warden tenant simulator' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dirname(certPath), { recursive: true });
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { certPath, keyPath, cert: pems.cert, key: pems.private };
}
