/**
 * Nothing hangs: every Kubernetes, Prometheus and AWS call is bounded by --timeout, and the first
 * unreachable API server stops preflight with one failure instead of a cascade. The servers here are
 * real loopback TCP servers: one accepts connections and never answers (the hang the newcomer hit
 * for 15 minutes), one answers Kubernetes calls but never the Prometheus proxy.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { awsClientConfig } from '../../lib/bench/aws/client-config';
import { createAwsApi } from '../../lib/bench/cluster/aws';
import { DeadlineExceededError, withDeadline } from '../../lib/bench/deadline';
import { tempDir } from '../temp-dir';

const ROOT = path.join(__dirname, '..', '..');

/** Runs the CLI without blocking this process (the loopback servers live in it). */
function cliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'llmd-bench.js'), ...args], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function kubeconfig(server: string): string {
  const dir = tempDir('llmd-bench-kc-');
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters:', '- name: test', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: test', '  user:', '    token: test-token',
    'contexts:', '- name: test', '  context:', '    cluster: test', '    user: test',
  ].join('\n'));
  return file;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Accepts every connection and never sends a byte (TLS handshakes and HTTP requests wait forever). */
function silentServer(): { server: net.Server; sockets: net.Socket[] } {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => { sockets.push(s); s.on('error', () => undefined); });
  return { server, sockets };
}

describe('an API server that accepts connections and never answers', () => {
  const { server, sockets } = silentServer();
  let port = 0;
  beforeAll(async () => { port = await listen(server); });
  afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

  test('preflight finishes within its --timeout with exit 1 and one failure, not a cascade', async () => {
    const timeoutS = 2;
    // Baseline, measured now on this machine at its current load: the same command against a port that
    // refuses at once (same start-up and module loading, nothing to wait for). `--version` is no fair
    // baseline: it loads a fraction of the code (0.5 s vs 3 s for preflight at load 7 on 2 cores).
    const closed = net.createServer();
    const closedPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const baseline = await cliAsync(['preflight', '--skip-aws', '--timeout', String(timeoutS), '--kubeconfig', kubeconfig(`https://127.0.0.1:${closedPort}`)]);
    expect(baseline.code).toBe(1);
    const r = await cliAsync(['preflight', '--skip-aws', '--timeout', String(timeoutS), '--kubeconfig', kubeconfig(`https://127.0.0.1:${port}`)]);
    expect(r.code).toBe(1);
    // One bounded call waits --timeout; allow two, plus 1.5 s of jitter. It used to hang for good.
    expect(r.ms).toBeLessThan(baseline.ms + 2 * timeoutS * 1000 + 1500);
    // And it did wait for the silent server (the timeout, not an instant error, ended the call).
    expect(r.ms).toBeGreaterThanOrEqual(timeoutS * 1000);
    expect(sockets.length).toBeGreaterThan(0); // it really connected
    expect(r.stderr).toMatch(/✖ kubeconfig points at this cluster: cannot reach the API server of context test: list nodes at https:\/\/127\.0\.0\.1:\d+: no answer within 2 s/);
    expect(r.stderr.match(/\[FAILED/g)).toHaveLength(1);
    expect((r.stdout + r.stderr).match(/SKIPPED: API server unreachable/g)?.length).toBeGreaterThanOrEqual(10);
    expect(r.stderr).toContain('llmd-bench preflight: preflight failed');
  }, 60_000);
});

describe('an API server that refuses connections', () => {
  test('one failure with the reason, every later Kubernetes check skipped', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await cliAsync(['preflight', '--skip-aws', '--kubeconfig', kubeconfig(`https://127.0.0.1:${port}`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr.match(/\[FAILED/g)).toHaveLength(1);
    expect(r.stderr.match(/ECONNREFUSED/g)!.length).toBeLessThanOrEqual(2); // the live line and the summary, not 12
    expect((r.stdout + r.stderr).match(/SKIPPED: API server unreachable/g)?.length).toBeGreaterThanOrEqual(10);
  }, 60_000);
});

describe('plain http API servers', () => {
  // Answers every typed Kubernetes call at once (empty lists, 404 for objects) and never the
  // Prometheus service proxy: the raw proxy path must be bounded too.
  const sockets: net.Socket[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.includes('/proxy/')) return; // hang
    const list = /\/(nodes|pods|jobs)(\?|$)/.test(req.url ?? '');
    res.writeHead(list ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(list ? { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] } : { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  server.on('connection', (s) => sockets.push(s));
  let port = 0;
  beforeAll(async () => { port = await listen(server); });
  afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

  test('are refused unless --insecure-http is given (bad input, exit 2)', async () => {
    const r = await cliAsync(['preflight', '--skip-aws', '--kubeconfig', kubeconfig(`http://127.0.0.1:${port}`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`talks to http://127.0.0.1:${port} over plain http`);
    expect(r.stderr).toContain('--insecure-http');
  }, 60_000);

  test('with --insecure-http, a Prometheus proxy that never answers is bounded by --timeout as well', async () => {
    const r = await cliAsync(['preflight', '--skip-aws', '--insecure-http', '--timeout', '2', '--kubeconfig', kubeconfig(`http://127.0.0.1:${port}`)]);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(25_000);
    expect(r.stdout + r.stderr).toContain('✔ kubeconfig points at this cluster');
    // Two proxied calls hang (render, Prometheus); each fails on its own after 2 s, the API server stays usable.
    expect(r.stderr).toMatch(/✖ the EPP's render backend tokenizes a chat request: POST llmd-bench\/vllm-render:8000\/v1\/chat\/completions\/render failed: .*no answer within 2 s/);
    expect(r.stderr).toMatch(/✖ Prometheus is reachable and scrapes vLLM: .*GET \/api\/v1\/namespaces\/monitoring\/services\/kube-prometheus-stack-prometheus:9090\/proxy\/-\/ready at http:\/\/127\.0\.0\.1:\d+: no answer within 2 s/);
    expect(r.stdout + r.stderr).toContain('no other benchmark Job is running: idle');
  }, 60_000);
});

describe('AWS calls', () => {
  const { server, sockets } = silentServer();
  let port = 0;
  beforeAll(async () => { port = await listen(server); });
  afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

  test('an AWS endpoint that never answers fails the call at the timeout (awsClientConfig alone only warned)', async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    // The SDK warns about Node 20 on stderr; keep the test output clean.
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const api = createAwsApi('us-west-2', { timeoutMs: 800, endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
      const t0 = Date.now();
      await expect(api.describeCluster('llmd-bench')).rejects.toThrow(/eks:DescribeCluster llmd-bench in us-west-2: no answer from AWS within 0\.8 s/);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      warn.mockRestore();
    }
    expect(sockets.length).toBeGreaterThan(0);
  });
});

describe('awsClientConfig alone (what every AWS client of the CLI is built with)', () => {
  const { server, sockets } = silentServer();
  let port = 0;
  beforeAll(async () => { port = await listen(server); });
  afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

  test('fails each attempt at its request timeout instead of only logging a warning', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
      const client = new STSClient({
        ...awsClientConfig({ region: 'us-west-2', timeoutMs: 600, maxAttempts: 2 }),
        endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      const t0 = Date.now();
      await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - t0).toBeLessThan(5_000); // 2 attempts x 0.6 s + backoff
    } finally {
      warn.mockRestore();
    }
  });
});

describe('withDeadline', () => {
  test('rejects at the deadline and aborts the signal the work was given', async () => {
    let seen: AbortSignal | undefined;
    const p = withDeadline(50, 'slow call', (signal) => { seen = signal; return new Promise<never>(() => undefined); });
    await expect(p).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(seen?.aborted).toBe(true);
  });

  test('passes a result through and leaves no timer behind', async () => {
    await expect(withDeadline(10_000, 'fast call', async () => 42)).resolves.toBe(42);
  });
});
