import { fromCallback } from 'xstate';
import type { SpeakerCommand, SpeakerEvent } from '../../machines/events.js';
import { publishHeardLog } from '../../machines/heard.js';
import type { Logger } from '../log.js';
import type { TtsAudio, TtsProvider } from '../providers/tts/types.js';
import type { OutboundPlayer } from '../telephony/outbound-player.js';
import type { TtsPrefetch } from './tts-prefetch.js';

// The `speaker` actor: text → TTS → the telephony OutboundPlayer (resample, μ-law, paced frames, marks). Synthesis
// of later sentences overlaps playback of earlier ones, but utterances are handed to the player strictly in the
// order the machine sent them. The machine hears of an utterance's start, length and end (its final mark echoed:
// PLAYED); the marks in between (one every ≈ 200 ms) stay here, as what the caller has heard so far, which the
// machine reads only when it cuts an utterance (machines/heard.ts).

export interface SpeakerHooks {
  /** The first frame of an utterance was sent to Twilio. */
  started?(utteranceId: string, text: string): void;
  synthesisFailed?(utteranceId: string, error: Error): void;
  /** Synthesis of an utterance was requested / the provider accepted it and audio is about to flow. */
  synthRequested?(utteranceId: string): void;
  synthResolved?(utteranceId: string): void;
}

export function speakerActor(
  tts: TtsProvider,
  player: OutboundPlayer,
  nowMs: () => number,
  log: Logger,
  hooks: SpeakerHooks = {},
  /** The call's speculative TTS (greeting, held reply sentences); closed with the speaker at the end of the call. */
  prefetch?: TtsPrefetch,
) {
  return fromCallback<SpeakerCommand, { callId: string }>(({ sendBack, receive, system }) => {
    let stopped = false;
    // Heard text per utterance playing, from its last echoed mark; gone once it played or was cleared.
    const heard = new Map<string, string>();
    const withdrawHeard = publishHeardLog(system, { heardText: (id) => heard.get(id) });
    const send = (e: SpeakerEvent) => {
      if (!stopped) sendBack(e);
    };
    // Synthesis in flight per utterance, so a clear can cancel the ones that will never play.
    const inFlight = new Map<string, AbortController>();
    let order: Promise<void> = Promise.resolve();
    let generation = 0;
    // Prewarm: open the TTS connection while the call starts, not when its first sentence is waiting for it.
    // The provider skips it when a connection was used moments ago (other calls keep it warm).
    // A failed warm-up costs nothing: the first sentence opens its own connection and reports its own errors.
    tts
      .warm?.()
      .catch((e: unknown) => log.debug({ err: (e as Error).message, provider: tts.name }, 'tts warm-up failed'));

    player.listener = {
      started: (id, text) => {
        hooks.started?.(id, text);
        send({ type: 'SPEAKER.STARTED', utteranceId: id, atMs: nowMs() });
      },
      progress: (id, heardText) => {
        if (!stopped) heard.set(id, heardText);
      },
      played: (id) => {
        inFlight.delete(id);
        heard.delete(id);
        send({ type: 'SPEAKER.PLAYED', utteranceId: id, atMs: nowMs() });
      },
      duration: (id, ms) => send({ type: 'SPEAKER.DURATION', utteranceId: id, ms }),
      cleared: () => send({ type: 'SPEAKER.CLEARED' }),
      error: (id, e) => fail(id, e),
    };

    function fail(id: string, e: Error) {
      inFlight.delete(id);
      hooks.synthesisFailed?.(id, e);
      log.warn({ err: e.message, utteranceId: id, provider: tts.name }, 'speech synthesis failed');
      send({ type: 'SPEAKER.ERROR', message: e.message });
    }

    // Utterances said whose audio has not reached the player yet.
    let waiting = 0;

    // A request started in the same tick as an earlier utterance's audio is handed over costs that utterance's
    // first frame the request's CPU (≈2.5 ms through the SDK, docs/benchmarks/latency.md). While an earlier one is
    // on its way to the player, start the request one macrotask later: it plays after that one anyway.
    function synthesize(text: string, signal: AbortSignal, later: boolean): Promise<TtsAudio> {
      if (!later) return tts.synthesize(text, signal);
      return new Promise<void>((r) => setImmediate(r)).then(() => {
        signal.throwIfAborted();
        return tts.synthesize(text, signal);
      });
    }

    function say(utteranceId: string, text: string) {
      const abort = new AbortController();
      inFlight.set(utteranceId, abort);
      const gen = generation;
      // Start synthesis now (overlapping the playback of earlier sentences); enqueue in order. Text synthesised
      // ahead (tts-prefetch.ts) is used only now that the machine has said it.
      hooks.synthRequested?.(utteranceId);
      const audio: Promise<TtsAudio> =
        prefetch?.take(text, abort.signal) ?? synthesize(text, abort.signal, waiting > 0);
      waiting++;
      audio.then(
        () => hooks.synthResolved?.(utteranceId),
        () => undefined,
      );
      audio.catch(() => undefined); // observed below, in order; avoid an unhandled rejection meanwhile
      order = order.then(async () => {
        let a: TtsAudio;
        try {
          a = await audio;
        } catch (e) {
          waiting--;
          if (!abort.signal.aborted && !stopped && gen === generation) fail(utteranceId, e as Error);
          return;
        }
        waiting--;
        if (abort.signal.aborted || stopped || gen !== generation) return;
        player.enqueue({ utteranceId, text, sampleRate: a.sampleRate, chunks: a.chunks });
      });
    }

    receive((cmd) => {
      if (cmd.type === 'SPEAKER.SAY') say(cmd.utteranceId, cmd.text);
      else if (cmd.type === 'SPEAKER.CLEAR') {
        // Utterances whose synthesis has not reached the player yet are dropped by the generation check.
        generation++;
        for (const a of inFlight.values()) a.abort();
        inFlight.clear();
        // The machine read what was heard when it decided to cut, before sending this.
        heard.clear();
        player.clear();
      }
    });

    return () => {
      stopped = true;
      withdrawHeard();
      heard.clear();
      if (prefetch) {
        prefetch.close();
        log.debug({ prefetch: prefetch.stats }, 'tts prefetch at the end of the call');
      }
      for (const a of inFlight.values()) a.abort();
      inFlight.clear();
      player.listener = {};
    };
  });
}
