import type { ServerResponse } from 'node:http';
import { delay, jsonResponse } from './server.js';

// How the TTS fakes stream audio, and how they misbehave on request. Faults are the ones real providers
// produce: auth and quota errors, 5xx, a first byte that never comes in time, a connection cut mid-audio,
// and the nastiest one, a JSON error body sent with 200 and an audio content type.

export const TTS_FAULTS = [
  'none',
  'unauthorized',
  'rate-limited',
  'server-error',
  'slow-first-byte',
  'disconnect-mid-stream',
  'error-body-as-audio',
] as const;
export type TtsFault = (typeof TTS_FAULTS)[number];

export interface TtsTiming {
  /** Delay before the first audio byte (and before error responses). */
  firstByteMs: number;
  /** Delay of the first byte under the 'slow-first-byte' fault. */
  slowFirstByteMs: number;
  /** Audio per written chunk. */
  chunkMs: number;
  /** Playback speed of the stream: 1 = real time, 0 = as fast as possible. */
  realtimeFactor: number;
}

export const DEFAULT_TTS_TIMING: TtsTiming = { firstByteMs: 0, slowFirstByteMs: 5000, chunkMs: 40, realtimeFactor: 0 };

/** Per-fake fault queue: queued faults are used one per request, then `fault` applies. */
export class FaultPlan {
  fault: TtsFault = 'none';
  private readonly queue: TtsFault[] = [];
  enqueue(...faults: TtsFault[]): void {
    this.queue.push(...faults);
  }
  next(): TtsFault {
    return this.queue.shift() ?? this.fault;
  }
}

export async function serveTts(
  res: ServerResponse,
  pcm: Buffer,
  sampleRate: number,
  fault: TtsFault,
  timing: TtsTiming,
  errorBody: (status: number, message: string) => unknown,
  audioContentType: string,
): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  switch (fault) {
    case 'unauthorized':
      return jsonResponse(res, 401, errorBody(401, 'invalid api key'));
    case 'rate-limited':
      return jsonResponse(res, 429, errorBody(429, 'too many requests'), { 'retry-after': '1' });
    case 'server-error':
      return jsonResponse(res, 500, errorBody(500, 'internal error'));
    case 'error-body-as-audio':
      await delay(timing.firstByteMs);
      res.writeHead(200, { 'content-type': audioContentType });
      res.end(JSON.stringify(errorBody(400, 'quota exceeded')));
      return;
    default:
      break;
  }
  await delay(fault === 'slow-first-byte' ? timing.slowFirstByteMs : timing.firstByteMs);
  if (closed) return;
  res.writeHead(200, { 'content-type': audioContentType });
  const chunkBytes = Math.max(2, Math.round((timing.chunkMs * sampleRate) / 1000) * 2);
  const pause = timing.realtimeFactor > 0 ? timing.chunkMs / timing.realtimeFactor : 0;
  const cutAt = fault === 'disconnect-mid-stream' ? Math.floor(pcm.length / 3) : pcm.length;
  for (let off = 0; off < pcm.length; off += chunkBytes) {
    if (closed) return;
    if (off >= cutAt) {
      // A real cut: the socket goes away without the terminating chunk.
      res.socket?.destroy();
      return;
    }
    res.write(pcm.subarray(off, Math.min(pcm.length, off + chunkBytes)));
    if (pause > 0) await delay(pause);
    else await new Promise<void>((r) => setImmediate(r));
  }
  res.end();
}
