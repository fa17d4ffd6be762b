import type pg from 'pg';
import type { Route } from '../http/types.js';
import { callDetail } from '../db/read-model.js';
import { listCalls, listOutcomes, listStatuses } from '../db/repositories/calls.js';
import { isValidCallId } from '../db/recorder.js';
import { callPage, listPage, messagePage, type ListFilters } from './pages.js';
import { getCost } from '../costs/store.js';
import { extrasSection, serveRecording } from '../recordings/playback.js';
import type { RecordingStore } from '../recordings/store.js';
import type { CursorName } from '../campaigns/paging.js';
import { campaignListPage as loadCampaigns, campaignView } from './campaign-data.js';
import { campaignListPage, campaignPage } from './campaign-pages.js';
import { page, pageGuard, type PageAuth } from './guard.js';
import { listMessages } from '../frontdesk/store.js';
import { messagesPage } from './messages.js';

// GET /review and /review/calls/:id; /review/messages (messages front-desk callers left, messages.ts); /review/campaigns and /review/campaigns/:id (campaign-pages.ts). Transcripts
// are personal data: every page signs in as guard.ts says (API_TOKEN as bearer or Basic password).

export interface ReviewOptions extends PageAuth {
  pool: pg.Pool;
  pageSize?: number;
  /** Recordings (RECORDING=on): played on the call page, served with Range (src/recordings/playback.ts). */
  recordings?: RecordingStore | undefined;
}

/**
 * How the campaign page judges a gym's facts: stale past maxAgeDays (FACTS_MAX_AGE_DAYS) as of the campaigns' clock
 * (the demo's runs fast; default the wall clock).
 */
export interface FactsJudgement {
  readonly maxAgeDays: number;
  readonly clock?: { now(): Date } | undefined;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** A campaign id as /v1/campaigns takes it, and so a cursor of the campaign pages (row ids both). */
const ID_RE = /^[1-9]\d{0,14}$/;

/**
 * The cursor of a campaign page (src/campaigns/paging.ts): absent is the first page (undefined), anything but an
 * id is the message of a 400.
 */
function cursorOf(q: URLSearchParams, key: CursorName): { at: number | undefined } | string {
  const raw = q.get(key);
  if (raw === null || raw === '') return { at: undefined };
  return ID_RE.test(raw) ? { at: Number(raw) } : `"${key}" must be a positive whole number (the id of a row).`;
}

function parseFilters(q: URLSearchParams): { f: ListFilters; error?: string; since?: Date; until?: Date } {
  const f: ListFilters = {
    status: (q.get('status') ?? '').slice(0, 100),
    outcome: (q.get('outcome') ?? '').slice(0, 100),
    gym: (q.get('gym') ?? '').slice(0, 200),
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
  };
  const out: { f: ListFilters; error?: string; since?: Date; until?: Date } = { f };
  for (const k of ['from', 'to'] as const) {
    if (f[k] === '') continue;
    const d = new Date(`${f[k]}T00:00:00Z`);
    if (!DATE_RE.test(f[k]) || Number.isNaN(d.getTime())) {
      out.error = `"${k}" must be a date (YYYY-MM-DD); that filter was ignored.`;
      f[k] = '';
      continue;
    }
    if (k === 'from') out.since = d;
    else out.until = new Date(d.getTime() + 86_400_000); // inclusive end day
  }
  return out;
}

/** A list page's ?offset: a whole number up to ten million, else the first page. */
function offsetOf(q: URLSearchParams): number {
  const raw = Number(q.get('offset') ?? '0');
  return Number.isInteger(raw) && raw >= 0 && raw <= 10_000_000 ? raw : 0;
}

/** `facts` defaults to FACTS_MAX_AGE_DAYS's default (90 days) on the wall clock. */
export function reviewRoutes(o: ReviewOptions, facts: FactsJudgement = { maxAgeDays: 90 }): Route[] {
  const size = o.pageSize ?? 50;
  const guard = pageGuard(o, 'review page');
  const badRequest = (message: string) => page(400, messagePage('Bad request', message));
  return [
    {
      method: 'GET',
      pattern: '/review/campaigns',
      auth: 'none',
      handler: (req) =>
        guard(req, async () => {
          const before = cursorOf(req.query, 'before');
          if (typeof before === 'string') return badRequest(before);
          const { items, cursor } = await loadCampaigns(o.pool, { limit: size, before: before.at });
          return page(200, campaignListPage(items, { first: before.at === undefined, cursor }));
        }),
    },
    {
      method: 'GET',
      pattern: '/review/campaigns/:id',
      auth: 'none',
      handler: (req, p) =>
        guard(req, async () => {
          const raw = p.id ?? '';
          if (!ID_RE.test(raw)) return badRequest('A campaign id is a positive whole number.');
          const after = cursorOf(req.query, 'after');
          if (typeof after === 'string') return badRequest(after);
          const v = await campaignView(
            o.pool,
            Number(raw),
            { limit: size, after: after.at },
            { asOf: facts.clock?.now() ?? new Date(), maxAgeDays: facts.maxAgeDays },
          );
          if (v === undefined) return page(404, messagePage('Not found', 'There is no campaign with that id.'));
          return page(200, campaignPage(v, { first: after.at === undefined, cursor: v.cursor }));
        }),
    },
    {
      method: 'GET',
      pattern: '/review',
      auth: 'none',
      handler: (req) =>
        guard(req, async () => {
          const { f, error, since, until } = parseFilters(req.query);
          const offset = offsetOf(req.query);
          const [rows, statuses, outcomes] = await Promise.all([
            listCalls(o.pool, {
              limit: size + 1,
              offset,
              ...(f.status ? { status: f.status } : {}),
              ...(f.outcome ? { outcome: f.outcome } : {}),
              ...(f.gym ? { gymName: f.gym } : {}),
              ...(since ? { since } : {}),
              ...(until ? { until } : {}),
            }),
            listStatuses(o.pool),
            listOutcomes(o.pool),
          ]);
          const list = rows.slice(0, size).map((r) => ({
            call_id: r.id,
            created_at: r.created_at.toISOString(),
            gym_name: r.gym_name,
            phone_number: r.phone_number,
            direction: r.direction,
            status: r.status,
            end_reason: r.end_reason,
            outcome: r.outcome,
            turns: r.turns,
            answered_at: r.answered_at?.toISOString() ?? null,
            ended_at: r.ended_at?.toISOString() ?? null,
            mode: r.mode,
            messages: r.messages,
          }));
          return page(
            200,
            listPage(list, f, statuses, outcomes, { offset, limit: size, more: rows.length > size }, error),
          );
        }),
    },
    {
      method: 'GET',
      pattern: '/review/messages',
      auth: 'none',
      handler: (req) =>
        guard(req, async () => {
          const offset = offsetOf(req.query);
          const { total, messages } = await listMessages(o.pool, { limit: size, offset });
          return page(200, messagesPage(messages, { offset, limit: size, total }));
        }),
    },
    {
      method: 'GET',
      pattern: '/review/calls/:id',
      auth: 'none',
      handler: (req, p) =>
        guard(req, async () => {
          const id = p.id ?? '';
          const d = isValidCallId(id) ? await callDetail(o.pool, id) : undefined;
          if (!d) return page(404, messagePage('Not found', 'There is no call with that id.'));
          const [rec, cost] = await Promise.all([o.recordings?.find(id), getCost(o.pool, id)]);
          const extras = extrasSection(id, rec !== undefined, cost);
          return page(200, callPage(d).replace('</main>', `${extras}</main>`));
        }),
    },
    {
      method: 'GET',
      pattern: '/review/calls/:id/recording',
      auth: 'none',
      handler: (req, p) =>
        guard(req, async () => {
          const id = p.id ?? '';
          if (o.recordings === undefined || !isValidCallId(id))
            return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no recording' };
          return serveRecording(o.recordings, id, req.headers.range);
        }),
    },
  ];
}
