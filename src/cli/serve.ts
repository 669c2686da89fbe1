import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import selfsigned from 'selfsigned';
import { buildMirror, serveStatic } from '../node/hubMirror.ts';
import { BASE_CSP } from '../web/csp.ts';
import { parseCommandLine, UsageError } from './usage.ts';

/** The repository's built page (npm run build). */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, {
    model: { type: 'string', multiple: true },
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    https: { type: 'boolean', default: false },
  });
  if (!values.model?.length) throw new UsageError('--model is required (a model folder)');
  if (!values.data) throw new UsageError('--data is required (MMLU in the original release layout)');
  const port = values.port === undefined ? (values.https ? 8443 : 8080) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0 to 65535, got "${values.port}"`);
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(`the page is not built (no ${DIST}/index.html): run npm run build first`);
  const root = mkdtempSync(join(tmpdir(), 'pagebench-serve-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    process.stderr.write('preparing the model and the dataset in the hub layout…\n');
    const built = buildMirror(root, values.model, values.data);
    const addresses = lanAddresses();
    const tls = values.https
      ? await (async () => {
          const pems = await selfsigned.generate([{ name: 'commonName', value: 'pagebench classroom' }], {
            keySize: 2048,
            algorithm: 'sha256',
            extensions: [
              {
                name: 'subjectAltName',
                altNames: [
                  { type: 2, value: 'localhost' },
                  { type: 7, ip: '127.0.0.1' },
                  ...addresses.map((ip) => ({ type: 7 as const, ip })),
                ],
              },
            ],
          });
          return { key: pems.private, cert: pems.cert };
        })()
      : undefined;
    const server = await serveStatic(DIST, {
      port,
      host: values.host,
      mounts: [{ prefix: '/hub/', root }],
      headers: { 'Content-Security-Policy': BASE_CSP },
      ...(tls ? { tls } : {}),
    });
    const actualPort = new URL(server.url).port;
    const scheme = tls ? 'https' : 'http';
    const urlFor = (host: string) =>
      `${scheme}://${host}:${actualPort}/?hub=${encodeURIComponent(`${scheme}://${host}:${actualPort}/hub`)}`;
    const hosts = values.host === '0.0.0.0' ? [...addresses, '127.0.0.1'] : [values.host!];
    process.stdout.write(
      `pagebench serving ${built.models.join(', ')} and MMLU (${built.subjects.length} subjects)\n` +
        hosts.map((h) => `  ${urlFor(h)}\n`).join(''),
    );
    if (!tls && addresses.length)
      process.stdout.write(
        'note: over plain http, other devices get no WebGPU and no WASM threads (not a secure context); use --https\n',
      );
    process.stdout.write(await QRCode.toString(urlFor(hosts[0]!), { type: 'terminal', small: true }));
    process.stdout.write('Ctrl-C stops\n');
    await new Promise<void>((done) => {
      const stop = () => {
        void server.close().then(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  } finally {
    cleanup();
  }
}
