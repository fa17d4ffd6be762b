// The filters of /analytics and its CSV and JSON: a campaign and a range of UTC days. Parsed once, checked strictly
// (a bad value is a 400 naming the parameter, never a silently different report), and handed to the queries as
// bound parameters only.

export interface AnalyticsFilters {
  /** campaigns.id, or undefined for every call and gym. */
  readonly campaignId: number | undefined;
  /** First UTC day of the range, YYYY-MM-DD, and the instant it starts. */
  readonly from: string;
  readonly since: Date;
  /** Last UTC day of the range (inclusive), YYYY-MM-DD; `until` is the instant after it ends. */
  readonly to: string;
  readonly until: Date;
}

/** The form's values as typed, echoed back into the page after a 400. */
export interface RawFilters {
  readonly campaign: string;
  readonly from: string;
  readonly to: string;
}

export type ParsedFilters =
  | { readonly ok: true; readonly filters: AnalyticsFilters; readonly raw: RawFilters }
  | { readonly ok: false; readonly message: string; readonly raw: RawFilters };

/** Without dates, the last 30 days up to today (UTC). */
export const DEFAULT_DAYS = 30;
/** The longest range: a year of daily buckets (a leap year's 366) bounds every by-day result. */
export const MAX_DAYS = 366;

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const ID_RE = /^[1-9]\d{0,14}$/;

/** A real calendar day (2026-02-30 is not one), as the instant it starts in UTC. */
function dayStart(s: string): Date | undefined {
  if (!DATE_RE.test(s)) return undefined;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? d : undefined;
}

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** `today` is the clock's now (the campaigns' clock in the demo). */
export function parseFilters(q: URLSearchParams, today: Date): ParsedFilters {
  const raw: RawFilters = {
    campaign: (q.get('campaign') ?? '').trim().slice(0, 40),
    from: (q.get('from') ?? '').trim().slice(0, 40),
    to: (q.get('to') ?? '').trim().slice(0, 40),
  };
  const fail = (message: string): ParsedFilters => ({ ok: false, message, raw });
  if (raw.campaign !== '' && !ID_RE.test(raw.campaign))
    return fail('"campaign" must be a campaign\'s id (a positive whole number), or empty for all campaigns.');
  const last = raw.to === '' ? dayStart(isoDay(today)) : dayStart(raw.to);
  if (last === undefined) return fail('"to" must be a date (YYYY-MM-DD).');
  const first = raw.from === '' ? new Date(last.getTime() - (DEFAULT_DAYS - 1) * DAY_MS) : dayStart(raw.from);
  if (first === undefined) return fail('"from" must be a date (YYYY-MM-DD).');
  if (first > last) return fail('"from" must not be after "to".');
  const days = (last.getTime() - first.getTime()) / DAY_MS + 1;
  if (days > MAX_DAYS) return fail(`The range may span at most ${MAX_DAYS} days; this one spans ${days}.`);
  return {
    ok: true,
    raw,
    filters: {
      campaignId: raw.campaign === '' ? undefined : Number(raw.campaign),
      from: isoDay(first),
      since: first,
      to: isoDay(last),
      until: new Date(last.getTime() + DAY_MS),
    },
  };
}

/** Every UTC day of the range, in order: the x axis of the by-day charts (days without calls included). */
export function daysOf(f: AnalyticsFilters): string[] {
  const out: string[] = [];
  for (let t = f.since.getTime(); t < f.until.getTime(); t += DAY_MS) out.push(isoDay(new Date(t)));
  return out;
}

/** The filters as a query string (for the CSV links and the JSON): the same report, another format. */
export function filterQuery(f: AnalyticsFilters): string {
  const q = new URLSearchParams({ from: f.from, to: f.to });
  if (f.campaignId !== undefined) q.set('campaign', String(f.campaignId));
  return q.toString();
}
