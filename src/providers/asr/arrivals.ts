// When each piece of a stream's audio arrived, by the stream time its end reached: a final's latency counts from
// the arrival of the audio holding its last word, the earliest any recogniser could have known it (the offline
// recogniser's version of deepgram.ts's wallTimeOf). Kept for 30 s of Twilio's 20 ms messages, twice the longest
// utterance.

const KEEP = 1500;

export class Arrivals {
  private readonly ends: number[] = [];
  private readonly times: number[] = [];
  private heardMs = 0;
  /** Stream time before which nothing is kept any more. */
  private keptFromMs = 0;

  /** `ms` more audio arrived at `at` (performance.now()). */
  push(ms: number, at: number): void {
    this.heardMs += ms;
    this.ends.push(this.heardMs);
    this.times.push(at);
    if (this.ends.length > KEEP) {
      const dropped = this.ends.splice(0, KEEP / 3);
      this.times.splice(0, KEEP / 3);
      this.keptFromMs = dropped[dropped.length - 1] as number;
    }
  }

  /** When the audio holding stream time `ms` arrived; undefined when it is older than what is kept. */
  at(ms: number): number | undefined {
    if (ms < this.keptFromMs) return undefined;
    const i = this.ends.findIndex((end) => end >= ms);
    return i < 0 ? this.times[this.times.length - 1] : this.times[i];
  }
}
