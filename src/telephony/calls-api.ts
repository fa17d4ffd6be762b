import { z } from 'zod';
import { answeredTopics, emptyFacts, gymFactsSchema, TOPICS } from '../facts/model.js';
import { errorResponse, json, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import { unavailableResponse } from '../ops/capacity.js';
import { placeOutbound, type OutboundDeps } from './outbound.js';
import { LANGUAGE_NAMES, languageSchema } from '../language/index.js';

// The outbound-calls API of the original system: POST /v1/calls places a call (GET /v1/calls/:id is the
// database's read API, src/db/routes.ts). Bearer auth, JSON-only bodies and rate limiting are applied by the
// HTTP stack (src/http) for every 'api-token' route.

export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * C0 and C1 controls, and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a name
 * display as something else in the review page, exports and logs ("Trojan Source"). Rejected, not stripped: the
 * client learns its input was not what it looked like.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Words the agent says or the model reads: plain text, bounded. */
const spoken = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL_OR_BIDI.test(s), 'must not contain control characters or bidirectional overrides');

/**
 * A planned call's brief (docs/campaign-policy.md): only these topics are asked, these known facts confirmed in
 * one sentence each, this person asked for. The confirmed value must be of its own topic.
 */
const briefBody = z
  .object({
    topics_to_ask: z.array(z.enum(TOPICS)).max(TOPICS.length).default([]),
    facts_to_confirm: z
      .array(
        z
          .object({ topic: z.enum(TOPICS), question: spoken(300), facts: gymFactsSchema.partial() })
          .strict()
          // The schema fills absent topics with empty values: only the confirmed topic's is kept, and it must say
          // something (a "yes" records it again).
          .transform((f) => ({ topic: f.topic, question: f.question, facts: { [f.topic]: f.facts[f.topic] } }))
          .refine((f) => answeredTopics({ ...emptyFacts(), ...f.facts }).has(f.topic), {
            message: "facts must give the confirmed topic's known value",
          }),
      )
      .max(TOPICS.length)
      .default([]),
    ask_for: spoken(100).optional(),
  })
  .strict()
  .refine((b) => b.topics_to_ask.length + b.facts_to_confirm.length > 0, 'must ask or confirm at least one topic');

const createBody = z.object({
  phone_number: z.string().regex(E164, 'must be an E.164 number such as +12015550123'),
  gym_name: spoken(200),
  brief: briefBody.optional(),
  /** en or es (or a regional tag or name); none: CALL_LANGUAGE. */
  language: languageSchema.optional(),
});

export type { CallPlacer } from './outbound.js';
/** The outbound path's dependencies (src/telephony/outbound.ts, shared with the campaign engine). */
export type CallsApiOptions = OutboundDeps;

export function callsRoutes(o: CallsApiOptions): Route[] {
  return [{ method: 'POST', pattern: '/v1/calls', auth: 'api-token', handler: (req) => create(o, req) }];
}

async function create(o: CallsApiOptions, req: HttpRequest): Promise<HttpResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(req.body.toString('utf8'));
  } catch {
    return errorResponse('VALIDATION_FAILED', 'body must be a JSON object: {"phone_number", "gym_name"}');
  }
  const parsed = createBody.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return errorResponse('VALIDATION_FAILED', msg);
  }
  const { phone_number, gym_name, brief, language } = parsed.data;
  const r = await placeOutbound(o, {
    phoneNumber: phone_number,
    gymName: gym_name,
    brief:
      brief === undefined
        ? undefined
        : { topicsToAsk: brief.topics_to_ask, factsToConfirm: brief.facts_to_confirm, askFor: brief.ask_for },
    language,
  });
  if (!r.ok) {
    if (r.reason === 'destination') return errorResponse('DESTINATION_NOT_ALLOWED', `phone_number ${r.message}`);
    if (r.reason === 'suppressed')
      return errorResponse(
        'SUPPRESSED',
        'phone_number is on the do-not-call list (the gym asked not to be called, or an operator listed it): see /v1/suppressions',
      );
    if (r.reason === 'language')
      return errorResponse(
        'LANGUAGE_UNSUPPORTED',
        `language ${r.language}: this server's recogniser does not hear ${LANGUAGE_NAMES[r.language].english} (the offline recogniser hears English only; set DEEPGRAM_API_KEY)`,
      );
    if (r.reason === 'not-configured')
      return errorResponse(
        'TELEPHONY_NOT_CONFIGURED',
        'this server cannot place calls: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and PUBLIC_BASE_URL',
      );
    // 'withdrawn' needs a beforePlace, which this route does not give.
    return unavailableResponse(r.reason === 'withdrawn' ? 'at_capacity' : r.reason);
  }
  return json(201, { call_id: r.callId, twilio_call_sid: r.sid, status: r.status });
}
