import { Counter, Gauge, type Registry } from 'prom-client';
import type { CallCost } from './meter.js';
import type { RecordingStore } from '../recordings/store.js';

// Prometheus series of the cost per call and the recordings, on the app's registry (src/ops/metrics.ts's):
// dollars and usage summed over calls (rate() of them is spend per second), recordings stored / lost / skipped
// for disk space, and the free space the disk guard sees.

export function costMetrics(registry: Registry): (cost: CallCost) => void {
  const registers = [registry];
  const usd = new Counter({
    name: 'gym_agent_call_cost_usd_total',
    help: 'Cost of ended calls in US dollars, by item (twilio, asr, llm, tts), from the price table (COST_PRICES)',
    labelNames: ['item'],
    registers,
  });
  const usage = new Counter({
    name: 'gym_agent_call_usage_total',
    help: 'Usage of ended calls by unit: twilio_minutes, asr_seconds, llm_input_tokens, llm_output_tokens, tts_characters',
    labelNames: ['unit'],
    registers,
  });
  return (c) => {
    for (const [item, v] of Object.entries(c.usd)) usd.inc({ item }, v);
    usage.inc({ unit: 'twilio_minutes' }, c.twilioMinutes);
    usage.inc({ unit: 'asr_seconds' }, c.asrSeconds);
    usage.inc({ unit: 'llm_input_tokens' }, c.llmInputTokens);
    usage.inc({ unit: 'llm_output_tokens' }, c.llmOutputTokens);
    usage.inc({ unit: 'tts_characters' }, c.ttsCharacters);
  };
}

export function recordingMetrics(registry: Registry, store: RecordingStore): void {
  const registers = [registry];
  new Gauge({
    name: 'gym_agent_recordings',
    help: 'Recordings since start, by result: saved, failed, skipped_low_disk',
    labelNames: ['result'],
    registers,
    collect() {
      this.set({ result: 'saved' }, store.saved);
      this.set({ result: 'failed' }, store.failed);
      this.set({ result: 'skipped_low_disk' }, store.skippedLowDisk);
    },
  });
}
