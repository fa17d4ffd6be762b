import { ProviderError, toProviderError } from '../retry.js';

// The gate between a TTS HTTP response and the caller's ear. Status is checked by the SDKs (they throw on
// non-2xx); here we check the content type and then the bytes themselves, because providers have been seen
// to send JSON error bodies with 200 and an audio content type. Played as audio, that is loud static.

const PEEK_BYTES = 64;
const TEXTUAL_TYPE = /json|text\/|html|xml/i;

type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

function iterate(src: ByteSource): AsyncIterator<Uint8Array> & { cancel(): Promise<void> } {
  if ('getReader' in src) {
    const reader = src.getReader();
    return {
      next: async () => {
        const r = await reader.read();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
      },
      cancel: () => reader.cancel().catch(() => undefined),
    };
  }
  const it = src[Symbol.asyncIterator]();
  return {
    next: () => it.next(),
    cancel: async () => {
      await it.return?.();
    },
  };
}

function looksLikeText(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  const first = b[i];
  if (first !== 0x7b && first !== 0x5b && first !== 0x3c) return false; // { [ <
  for (const c of b) if (c > 0x7e || (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return false;
  return true;
}

function describe(b: Uint8Array): string {
  return new TextDecoder().decode(b.subarray(0, 160)).replace(/\s+/g, ' ');
}

/**
 * Validate a PCM response before any byte of it is played. Resolves once the first bytes are known to be
 * audio (that is the provider's "first byte"), with an iterable that replays them and then the rest.
 */
export async function checkedPcm(
  provider: string,
  body: ByteSource | null | undefined,
  contentType: string | null | undefined,
): Promise<AsyncIterable<Uint8Array>> {
  if (!body) throw new ProviderError(provider, 'PROVIDER_BAD_AUDIO', 'response has no body', { retryable: true });
  const it = iterate(body);
  const head: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  try {
    while (n < PEEK_BYTES) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      n += r.value.length;
    }
  } catch (e) {
    throw toProviderError(provider, e);
  }
  const peek = Buffer.concat(head);
  if (contentType && TEXTUAL_TYPE.test(contentType)) {
    await it.cancel();
    throw new ProviderError(provider, 'PROVIDER_BAD_AUDIO', `non-audio response (${contentType}): ${describe(peek)}`, {
      retryable: true,
    });
  }
  if (looksLikeText(peek)) {
    await it.cancel();
    throw new ProviderError(provider, 'PROVIDER_BAD_AUDIO', `error body labelled as audio: ${describe(peek)}`, {
      retryable: true,
    });
  }
  if (ended && peek.length < 2) {
    throw new ProviderError(provider, 'PROVIDER_BAD_AUDIO', 'empty audio response', { retryable: true });
  }
  return {
    [Symbol.asyncIterator]: async function* () {
      let done = false;
      try {
        for (const h of head) yield h;
        if (ended) {
          done = true;
          return;
        }
        for (;;) {
          let r: IteratorResult<Uint8Array>;
          try {
            r = await it.next();
          } catch (e) {
            throw toProviderError(provider, e);
          }
          if (r.done) {
            done = true;
            return;
          }
          yield r.value;
        }
      } finally {
        // The consumer stopped early (barge-in) or failed: release the HTTP stream.
        if (!done) await it.cancel();
      }
    },
  };
}
