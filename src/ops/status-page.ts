import type { Status } from './status-schema.ts';

/** How often the page reloads itself (meta refresh: no script). */
export const REFRESH_SECONDS = 10;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every value on the page passes through here: request ids, error messages and config come from outside. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function table(headers: string[], rows: unknown[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function counts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

function seconds(ms: number | null): string {
  return ms === null ? '' : `${(ms / 1000).toFixed(2)} s`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2433;background:#f7f8fa}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
.meta{color:#555}.role{display:inline-block;padding:.1rem .5rem;border-radius:.7rem;background:#dbe7ff;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d6dae1;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}td{font-variant-numeric:tabular-nums;word-break:break-word}
.empty{color:#777;font-style:italic}
pre{background:#fff;border:1px solid #d6dae1;padding:.6rem;overflow:auto;max-height:24rem}
`;

/** The status page: server-rendered, no external asset, no script, reloading itself. */
export function renderStatusPage(status: Status): string {
  const cycleRows = status.cycles.map((c) => [
    c.startedAt,
    c.cycleId,
    c.result + (c.abortedBy ? ` (${c.abortedBy})` : ''),
    seconds(c.durationMs),
    counts(c.counts),
  ]);
  const backoffRows = status.backoff.map((b) => [
    b.requestId,
    b.type,
    b.attempts,
    `${b.lastErrorCode}: ${b.lastError}`,
    b.nextAttemptAt,
  ]);
  const errorRows = status.handlerErrors.map((e) => [e.at, e.requestId, e.type, e.code, e.message]);
  const pauseRows = status.rateLimit.pauses.map((p) => [p.at, seconds(p.ms)]);
  const rate = status.rateLimit;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>connect-fulfillment status</title>
<link rel="icon" href="data:,">
<style>${CSS}</style></head>
<body>
<h1>connect-fulfillment ${escapeHtml(status.version)} <span class="role" id="role">${escapeHtml(status.role)}</span></h1>
<p class="meta">Schedule <code>${escapeHtml(status.schedule)}</code> · up since ${escapeHtml(status.startedAt)} · generated ${escapeHtml(status.generatedAt)} · reloads every ${REFRESH_SECONDS} s · <a href="/status.json">status.json</a> · <a href="/metrics">metrics</a></p>
<h2 id="cycles">Last cycles</h2>
${table(['Started', 'Cycle', 'Result', 'Duration', 'Counts'], cycleRows, 'No cycle yet.')}
<h2 id="backoff">Requests in backoff (${status.backoff.length})</h2>
${table(['Request', 'Type', 'Attempts', 'Last error', 'Next attempt'], backoffRows, 'None: every request either succeeded or has not failed yet.')}
<h2 id="errors">Last handler errors</h2>
${table(['At', 'Request', 'Type', 'Code', 'Message'], errorRows, 'None.')}
<h2 id="rate-limit">Rate limit</h2>
<p>${escapeHtml(rate.callsLastSecond)} API calls in the last second (limit ${escapeHtml(rate.requestsPerSecond)}/s)${rate.pausedUntil ? ` · <strong>paused by Connect until ${escapeHtml(rate.pausedUntil)}</strong>` : ''}</p>
${table(['Retry-After pause at', 'Length'], pauseRows, 'No Retry-After pause.')}
<h2 id="config">Configuration (secrets masked)</h2>
<pre>${escapeHtml(JSON.stringify(status.config, null, 2))}</pre>
</body></html>
`;
}
