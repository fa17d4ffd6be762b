import type pg from 'pg';
import { z } from 'zod';
import { badArg, guarded, notFound } from '../db/routes.js';
import { isAppError } from '../errors.js';
import { TOPICS, type Topic } from '../facts/model.js';
import { parseBody, isResponse, rowId } from '../gyms/routes.js';
import { errorResponse, json, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { CONTROL_OR_BIDI } from '../telephony/calls-api.js';
import { nextLink, pageQuery } from './page-query.js';
import { DEFAULT_POLICY, policyProblems } from './policy/retry-rules.js';
import {
  campaignGymsPage,
  campaignStatus,
  changeCampaign,
  createCampaign,
  GYM_STATES,
  isGymState,
  listCampaigns,
  type CampaignAction,
} from './store.js';
import type { CampaignPolicy } from './types.js';
import { languageSchema } from '../language/index.js';
import { BRAND_VOICE_SHAPE, brandVoiceSchema } from '../voices/brand.js';

// /v1/campaigns: create a campaign over imported gyms (POST), list them a page at a time (GET), one campaign's
// progress with its outcome counts (GET /:id), its gyms a page at a time (GET /:id/gyms; a campaign may have
// thousands, so the progress carries none), and pause / resume / cancel (POST /:id/pause ...). Pages are read by key
// (paging.ts) and each answer's `next` is the path of the page after it. Under the API token like the rest of /v1;
// the engine (engine.ts) does the calling.

export interface CampaignOptionsInput {
  readonly topics?: readonly Topic[] | undefined;
  readonly maxConcurrent?: number | undefined;
  readonly maxAttempts?: number | undefined;
}

/**
 * A campaign's policy: the defaults (src/campaigns/policy/retry-rules.ts) with FACTS_MAX_AGE_DAYS and the user's
 * choices, or the list of what is wrong with them.
 */
export function campaignPolicy(
  input: CampaignOptionsInput,
  factsMaxAgeDays: number,
): { ok: true; policy: CampaignPolicy } | { ok: false; message: string } {
  const policy: CampaignPolicy = {
    ...DEFAULT_POLICY,
    factsMaxAgeDays,
    ...(input.topics !== undefined ? { topics: [...new Set(input.topics)] } : {}),
    ...(input.maxConcurrent !== undefined ? { maxConcurrent: input.maxConcurrent } : {}),
    ...(input.maxAttempts !== undefined ? { maxAttempts: input.maxAttempts } : {}),
  };
  const problems = policyProblems(policy);
  if (policy.maxConcurrent > 1000) problems.push('maxConcurrent must be at most 1000');
  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true, policy };
}

export interface CampaignRoutesOptions {
  readonly pool: pg.Pool;
  /** FACTS_MAX_AGE_DAYS. */
  readonly factsMaxAgeDays: number;
  readonly now?: () => Date;
  readonly log?: Logger;
}

const NAME = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((s) => !CONTROL_OR_BIDI.test(s), 'must not contain control characters or bidirectional overrides');

const createBody = z
  .object({
    name: NAME,
    gym_ids: z.array(z.number().int().positive()).min(1, 'must list at least one gym').max(10_000),
    topics: z.array(z.enum(TOPICS)).min(1).optional(),
    max_concurrent: z.number().int().optional(),
    max_attempts: z.number().int().optional(),
    language: languageSchema.optional(),
    voice: brandVoiceSchema.optional(),
  })
  .strict();
const SHAPE = `{"name", "gym_ids": [1, 2], "topics"?: ["hours", "pricing", "classes"], "max_concurrent"?, "max_attempts"?, "language"?: "en" | "es", "voice"?: ${BRAND_VOICE_SHAPE}}`;

/** An AppError the store raised on purpose (unknown gyms, a taken name, a wrong transition) as its HTTP answer. */
function storeError(e: unknown): HttpResponse {
  if (isAppError(e) && (e.code === 'VALIDATION_FAILED' || e.code === 'CONFLICT' || e.code === 'NOT_FOUND'))
    return errorResponse(e.code, e.message);
  throw e;
}

const STATE_PROBLEM = `state must be one of ${GYM_STATES.join(', ')}`;

export function campaignRoutes(o: CampaignRoutesOptions): Route[] {
  const { pool, log } = o;
  const now = o.now ?? (() => new Date());
  const action = (a: CampaignAction): Route => ({
    method: 'POST',
    pattern: `/v1/campaigns/:id/${a}`,
    auth: 'api-token',
    handler: (_req, p) =>
      guarded(log, async () => {
        const id = rowId(p.id);
        if (id === undefined) return notFound('campaign');
        try {
          const c = await changeCampaign(pool, id, a, now());
          log?.info({ campaignId: id, status: c.status }, `campaign ${a}`);
          return json(200, c);
        } catch (e) {
          return storeError(e);
        }
      }),
  });
  return [
    {
      method: 'POST',
      pattern: '/v1/campaigns',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const body = parseBody(req, createBody, SHAPE);
          if (isResponse(body)) return body;
          const p = campaignPolicy(
            { topics: body.topics, maxConcurrent: body.max_concurrent, maxAttempts: body.max_attempts },
            o.factsMaxAgeDays,
          );
          if (!p.ok) return errorResponse('VALIDATION_FAILED', p.message);
          try {
            const c = await createCampaign(pool, {
              name: body.name,
              policy: p.policy,
              gymIds: body.gym_ids,
              now: now(),
              language: body.language,
              voice: body.voice,
            });
            log?.info({ campaignId: c.id, gyms: c.gyms }, 'campaign created');
            return json(201, c);
          } catch (e) {
            return storeError(e);
          }
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const q = pageQuery(req.query, 'before');
          if (typeof q === 'string') return badArg(q);
          const page = await listCampaigns(pool, { limit: q.limit, before: q.cursor });
          return json(200, { campaigns: page.items, next: nextLink(req.path, req.query, 'before', page.cursor) });
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:id',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = rowId(p.id);
          const st = id === undefined ? undefined : await campaignStatus(pool, id);
          return st === undefined ? notFound('campaign') : json(200, st);
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/campaigns/:id/gyms',
      auth: 'api-token',
      handler: (req, p) =>
        guarded(log, async () => {
          const id = rowId(p.id);
          if (id === undefined) return notFound('campaign');
          const q = pageQuery(req.query, 'after', ['state']);
          if (typeof q === 'string') return badArg(q);
          // Absent or empty: every state, as an empty limit or cursor is their default.
          const state = req.query.get('state') ?? '';
          if (state !== '' && !isGymState(state)) return badArg(STATE_PROBLEM);
          const page = await campaignGymsPage(pool, id, {
            limit: q.limit,
            after: q.cursor,
            state: state === '' ? undefined : state,
          });
          if (page === undefined) return notFound('campaign');
          return json(200, { gyms: page.items, next: nextLink(req.path, req.query, 'after', page.cursor) });
        }),
    },
    action('pause'),
    action('resume'),
    action('cancel'),
  ];
}
