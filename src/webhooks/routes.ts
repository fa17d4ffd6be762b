import type pg from 'pg';
import { nextLink, pageQuery } from '../campaigns/page-query.js';
import { badArg, guarded, notFound } from '../db/routes.js';
import { errorResponse, json, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { deadLetterPage, eventDetail, isEventId, retryDeadLetter } from './store.js';

// /v1/webhooks, under the API token like the rest of /v1: the dead letters (events no attempt delivered), a page at
// a time by key with `next` as GET /v1/campaigns does; one event with its attempts; and the retry of a dead letter,
// sent again under the same webhook-id by whichever replica's deliverer claims it first. Mounted whether or not
// WEBHOOK_URL is set, so dead letters stay visible after webhooks are turned off (a retry then waits for a
// replica that has it set).

export interface WebhookRoutesOptions {
  readonly pool: pg.Pool;
  readonly log?: Logger;
}

export function webhookRoutes(o: WebhookRoutesOptions): Route[] {
  const { pool, log } = o;
  return [
    {
      method: 'GET',
      pattern: '/v1/webhooks/dead-letters',
      auth: 'api-token',
      handler: (req) =>
        guarded(log, async () => {
          const q = pageQuery(req.query, 'before');
          if (typeof q === 'string') return badArg(q);
          const page = await deadLetterPage(pool, { limit: q.limit, before: q.cursor });
          return json(200, { dead_letters: page.items, next: nextLink(req.path, req.query, 'before', page.cursor) });
        }),
    },
    {
      method: 'GET',
      pattern: '/v1/webhooks/events/:id',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = p.id ?? '';
          const e = isEventId(id) ? await eventDetail(pool, id) : undefined;
          return e === undefined ? notFound('webhook event') : json(200, e);
        }),
    },
    {
      method: 'POST',
      pattern: '/v1/webhooks/dead-letters/:id/retry',
      auth: 'api-token',
      handler: (_req, p) =>
        guarded(log, async () => {
          const id = p.id ?? '';
          const r = isEventId(id) ? await retryDeadLetter(pool, id) : 'not-found';
          if (r === 'not-found') return notFound('webhook event');
          if (r === 'not-dead')
            return errorResponse('CONFLICT', 'the event is not a dead letter (pending or delivered)');
          log?.info({ eventId: id }, 'webhook dead letter queued again');
          return json(202, await eventDetail(pool, id));
        }),
    },
  ];
}
