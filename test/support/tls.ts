import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/lib/proc.js';

/** A self-signed certificate for 127.0.0.1 made by openssl; undefined (tests skip) where openssl cannot. */
export async function testCertificate(): Promise<{ key: Buffer; cert: Buffer; dir: string } | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-gitops-tls-'));
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem'];
  args.push('-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  const r = await runProcess('openssl', args, { cwd: dir }).catch(() => undefined);
  if (r?.code !== 0) return undefined;
  return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')), dir };
}
