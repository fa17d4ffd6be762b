import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local OTLP/HTTP collector for tests: POST /v1/traces with the JSON encoding (what the app's exporter sends),
// every span kept flat with its resource. Loopback, port 0.

export type OtlpValue = string | number | boolean;

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, OtlpValue>;
  events: { name: string; timeNs: bigint; attributes: Record<string, OtlpValue> }[];
  status: number;
  resource: Record<string, OtlpValue>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
type KeyValue = { key: string; value: AnyValue };

function attrs(list: KeyValue[] | undefined): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const { key, value } of list ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value.intValue !== undefined ? Number(v) : v;
  }
  return out;
}

/** OTLP JSON ids are hex (the SDK's JSON serializer) or base64 (the protobuf JSON mapping): hex either way. */
function hex(id: string | undefined): string | undefined {
  if (id === undefined || id === '') return undefined;
  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)
    ? id.toLowerCase()
    : Buffer.from(id, 'base64').toString('hex');
}

export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  readonly requests: {
    path: string;
    contentType: string | undefined;
    headers: Record<string, string | string[] | undefined>;
  }[] = [];
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], headers: req.headers });
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        try {
          this.#take(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #take(body: { resourceSpans?: unknown[] }): void {
    for (const rs of (body.resourceSpans ?? []) as {
      resource?: { attributes?: KeyValue[] };
      scopeSpans?: unknown[];
    }[]) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of (rs.scopeSpans ?? []) as { spans?: Record<string, unknown>[] }[]) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: hex(s.traceId as string) ?? '',
            spanId: hex(s.spanId as string) ?? '',
            parentSpanId: hex(s.parentSpanId as string | undefined),
            name: s.name as string,
            kind: s.kind as number,
            startNs: BigInt(s.startTimeUnixNano as string),
            endNs: BigInt(s.endTimeUnixNano as string),
            attributes: attrs(s.attributes as KeyValue[]),
            events: ((s.events ?? []) as { name: string; timeUnixNano: string; attributes?: KeyValue[] }[]).map(
              (e) => ({
                name: e.name,
                timeNs: BigInt(e.timeUnixNano),
                attributes: attrs(e.attributes),
              }),
            ),
            status: ((s.status as { code?: number } | undefined)?.code ?? 0) as number,
            resource,
          });
        }
      }
    }
  }
}
