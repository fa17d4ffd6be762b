import { DAYS, type Day, type DayHours } from '../../src/facts/model.js';
import { parseUtterance } from '../../src/facts/parse.js';
import type { Language } from '../../src/language/index.js';

// Expected facts written short, for the parser's table tests: hours as "mon-fri 05:00-23:00; sun closed; sat 24h",
// prices as "49/month, 499/year annual" (dollars/period [plan]), classes as names.

export interface Expect {
  /** "mon-fri 05:00-23:00; sun closed; sat 24h" */
  hours?: string;
  /** "49/month, 499/year annual" (dollars/period [plan]) */
  pricing?: string;
  classes?: string[];
}

function dayList(spec: string): Day[] {
  return spec.split(',').flatMap((part) => {
    const [a, b] = part.split('-') as [Day, Day | undefined];
    if (!b) return [a];
    return DAYS.slice(DAYS.indexOf(a), DAYS.indexOf(b) + 1);
  });
}

function hoursOf(spec: string): Partial<Record<Day, DayHours>> {
  const out: Partial<Record<Day, DayHours>> = {};
  for (const clause of spec.split(';').map((s) => s.trim())) {
    const [days, value] = clause.split(' ') as [string, string];
    const v: DayHours =
      value === 'closed'
        ? { closed: true }
        : value === '24h'
          ? { open24h: true }
          : { opens: value.split('-')[0] as string, closes: value.split('-')[1] as string };
    for (const d of days === 'all' ? [...DAYS] : dayList(days)) out[d] = v;
  }
  return out;
}

export function matches(text: string, exp: Expect, language: Language = 'en'): { ok: boolean; got: unknown } {
  const got = parseUtterance(text, language).facts;
  const wantHours = exp.hours ? hoursOf(exp.hours) : undefined;
  const hoursOk = JSON.stringify(sortDays(got.hours ?? {})) === JSON.stringify(sortDays(wantHours ?? {}));
  const gotPlans = (got.pricing ?? []).map((p) => `${p.amountMinor / 100}/${p.period}`).sort();
  const wantPlans = (exp.pricing ? exp.pricing.split(',').map((s) => s.trim().split(' ')[0] as string) : []).sort();
  let pricingOk = JSON.stringify(gotPlans) === JSON.stringify(wantPlans);
  for (const spec of exp.pricing ? exp.pricing.split(',') : []) {
    const [amountPeriod, name] = spec.trim().split(' ');
    if (
      name &&
      !(got.pricing ?? []).some((p) => p.plan === name && `${p.amountMinor / 100}/${p.period}` === amountPeriod)
    ) {
      pricingOk = false;
    }
  }
  const gotClasses = (got.classes ?? []).map((c) => c.name).sort();
  const classesOk = JSON.stringify(gotClasses) === JSON.stringify([...(exp.classes ?? [])].sort());
  return { ok: hoursOk && pricingOk && classesOk, got };
}

function sortDays(h: Partial<Record<Day, DayHours>>): Partial<Record<Day, DayHours>> {
  const out: Partial<Record<Day, DayHours>> = {};
  for (const d of DAYS) if (h[d]) out[d] = h[d];
  return out;
}
