import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpResponse } from '../http/types.js';
import { CSS } from '../review/style.js';

// The files /analytics loads, served by the app itself (no CDN: the page works with no internet, and the Content-
// Security-Policy allows scripts from this origin only): Chart.js's UMD build from node_modules, the page's own
// script, and the review pages' stylesheet with the chart boxes. Each is named by its version or content hash, so
// a browser may keep it a year: a new build is a new name.

const ANALYTICS_CSS = `
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 0 2rem; }
.chart-box { position: relative; height: 16rem; margin: .5rem 0; }
.chart-box.tall { height: 24rem; }
section.chart { border-top: 1px solid var(--line); padding-bottom: .5rem; min-width: 0; }
section.chart h2 { margin-top: 1rem; }
section.chart p.about { color: var(--muted); margin: .25rem 0; font-size: .875rem; }
section.chart p.note { margin: .25rem 0; font-size: .875rem; font-weight: 600; }
p.note { color: var(--muted); font-size: .875rem; }
`;

export interface Asset {
  readonly name: string;
  readonly type: string;
  readonly body: Buffer;
}

export interface AnalyticsAssets {
  readonly chartJs: Asset;
  readonly script: Asset;
  readonly style: Asset;
  /** By name, for the route. */
  readonly byName: ReadonlyMap<string, Asset>;
}

const hashed = (stem: string, ext: string, body: Buffer) =>
  `${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;

const JS = 'text/javascript; charset=utf-8';

/** Reads the files once (at start-up: a missing one fails there, not on a person's first visit). */
export function loadAssets(): AnalyticsAssets {
  // chart.js exports only its module entries; the UMD build sits beside the CommonJS one.
  const dist = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const { version } = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  const chartBody = readFileSync(join(dist, 'chart.umd.js'));
  const scriptBody = readFileSync(new URL('./assets/analytics.js', import.meta.url));
  const styleBody = Buffer.from(CSS + ANALYTICS_CSS);
  const chartJs = { name: `chart-${version}.umd.js`, type: JS, body: chartBody };
  const script = { name: hashed('analytics', 'js', scriptBody), type: JS, body: scriptBody };
  const style = { name: hashed('analytics', 'css', styleBody), type: 'text/css; charset=utf-8', body: styleBody };
  return { chartJs, script, style, byName: new Map([chartJs, script, style].map((a) => [a.name, a])) };
}

export function serveAsset(a: Asset): HttpResponse {
  return {
    status: 200,
    headers: {
      'content-type': a.type,
      // Behind the sign-in: browsers keep it, shared caches do not.
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
    body: a.body,
  };
}
