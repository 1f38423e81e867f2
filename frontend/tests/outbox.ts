// The emails the server has queued (the suite runs no mail server, so they wait in the
// `email_outbox` table with their bodies): read straight from this run's database, with
// python3's sqlite3 module on SQLite and psql on PostgreSQL.
import { execFileSync } from 'node:child_process';

export interface QueuedEmail {
  subject: string;
  body: string;
}

/** The newest queued email (with its body) to `recipient`, or null. */
export function lastEmailTo(recipient: string): QueuedEmail | null {
  const url = process.env.DERMACHART_UI_DATABASE_URL;
  if (!url) throw new Error('DERMACHART_UI_DATABASE_URL is not set (global-setup sets it)');
  if (!/^[A-Za-z0-9._+@-]+$/.test(recipient)) throw new Error(`unexpected characters in ${recipient}`);
  let out: string;
  if (url.startsWith('sqlite://')) {
    const script = [
      'import json, sqlite3, sys',
      'c = sqlite3.connect(sys.argv[1])',
      "r = c.execute('SELECT subject, body FROM email_outbox WHERE recipient = ? AND body IS NOT NULL ORDER BY created_at DESC LIMIT 1', (sys.argv[2],)).fetchone()",
      "print(json.dumps({'subject': r[0], 'body': r[1]} if r else None))",
    ].join('\n');
    out = execFileSync('python3', ['-c', script, url.slice('sqlite://'.length), recipient], { encoding: 'utf8' });
  } else {
    const sql = `SELECT coalesce((SELECT json_build_object('subject', subject, 'body', body) FROM email_outbox WHERE recipient = '${recipient}' AND body IS NOT NULL ORDER BY created_at DESC LIMIT 1)::text, 'null')`;
    out = execFileSync('psql', [url, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  }
  return JSON.parse(out.trim()) as QueuedEmail | null;
}

/** The set-password link in an email's body. */
export function linkIn(email: QueuedEmail): string {
  const found = email.body.match(/https?:\/\/\S+\/set-password#token=[A-Za-z0-9_-]+/);
  if (!found) throw new Error(`no set-password link in: ${email.subject}`);
  return found[0];
}
