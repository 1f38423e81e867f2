// Starts the REAL dermachart binary on a fresh database for this run (SQLite, or a new
// PostgreSQL database when TEST_DATABASE_URL is set), seeds a small clinic through the
// CLI and the API, and stops it all afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedClinic } from './seed';

const root = resolve(import.meta.dirname, '..', '..');

function freshDatabase(dir: string): { url: string; drop: () => void } {
  const pg = process.env.TEST_DATABASE_URL;
  if (!pg) return { url: `sqlite://${join(dir, 'ui.db')}`, drop: () => {} };
  const name = `dermachart_ui_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new URL(pg);
  execFileSync('psql', [admin.toString(), '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(pg);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => {
      try {
        execFileSync('psql', [admin.toString(), '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      } catch {
        /* best effort */
      }
    },
  };
}

async function waitReady(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`dermachart exited with ${server.exitCode}; see its log`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('dermachart did not become ready in 60 s');
}

/** Stops a server and waits (up to 10 s) until it has exited. */
async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

export default async function globalSetup() {
  const port = process.env.DERMACHART_UI_PORT;
  if (!port) throw new Error('DERMACHART_UI_PORT is not set (playwright.config.ts sets it)');
  const base = `http://127.0.0.1:${port}`;
  const binary = resolve(root, process.env.DERMACHART_BIN ?? 'target/debug/dermachart');
  const dir = mkdtempSync(join(tmpdir(), 'dermachart-ui-'));
  const db = freshDatabase(dir);
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    BIND: `127.0.0.1:${port}`,
    PUBLIC_URL: base,
    FRONTEND_DIR: resolve(root, 'frontend/dist'),
    MEDIA_DIR: join(dir, 'media'),
    // This run's own audit key and anchor file: anchors of another run's database would
    // (rightly) make this one's chain look cut.
    AUDIT_KEY_FILE: join(dir, 'audit.key'),
    CLINIC_TIMEZONE: 'Europe/London',
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  const adminPassword = 'ui-tests admin passphrase';
  execFileSync(binary, ['user', 'create', '--role', 'admin', '--email', 'admin@clinic.test', '--password-env', 'UI_ADMIN_PASSWORD', '--name', 'Morgan Admin'], {
    env: { ...env, UI_ADMIN_PASSWORD: adminPassword },
    stdio: 'ignore',
  });
  const log = openSync(join(dir, 'server.log'), 'a');
  const server = spawn(binary, ['serve'], { env, stdio: ['ignore', log, log] });
  await waitReady(base, server);
  // On PostgreSQL, a second app server on the same database (scale-out): the live-update
  // journey has one desk on each server.
  let second: ChildProcess | null = null;
  if (process.env.TEST_DATABASE_URL) {
    const port2 = String(Number(port) + 1);
    const base2 = `http://127.0.0.1:${port2}`;
    second = spawn(binary, ['serve'], {
      env: { ...env, BIND: `127.0.0.1:${port2}`, PUBLIC_URL: base2 },
      stdio: ['ignore', log, log],
    });
    await waitReady(base2, second);
    process.env.DERMACHART_UI_SECOND_SERVER = base2;
  }
  const seed = await seedClinic(base, { email: 'admin@clinic.test', password: adminPassword });
  const statePath = join(dir, 'seed.json');
  writeFileSync(statePath, JSON.stringify(seed, null, 2));
  process.env.DERMACHART_UI_SEED = statePath;
  process.env.DERMACHART_UI_LOG = join(dir, 'server.log');
  // This run's database, for tests that read what the server queued to send (the email
  // outbox: no SMTP server runs in the tests, so an emailed link waits there).
  process.env.DERMACHART_UI_DATABASE_URL = db.url;

  return async () => {
    // Wait until the servers have exited (they may still write their log or media), then
    // remove the directory (retrying, as a late write can still race the removal).
    await Promise.all([stop(server), second ? stop(second) : Promise.resolve()]);
    db.drop();
    if (!process.env.KEEP_UI_TMP) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
}
