import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { loadConfig } from '../../src/config/index.js';
import { isAppError } from '../../src/errors.js';
import { assignFlow, bucketPoint, gymKey, withEndpointing } from '../../src/flows/assign.js';
import { loadFlows } from '../../src/flows/load.js';
import { checkConfig } from '../../src/ops/doctor/config-checks.js';

// FLOWS as data: a good experiment loads with each variant resolved; every kind of mistake is named in one error
// (unknown voice or profile, empty or unreadable wording, duplicate names, weights, a missing or changed control).
// Assignment: deterministic per gym, close to the weights, control for a call without a number.

const base = {
  experiment: 'greeting-2026-12',
  endpointingProfiles: { slowish: { semanticMs: 300, shortMs: 500, longMs: 1800, maxMs: 3500 } },
  variants: [
    { name: 'control', weight: 50 },
    {
      name: 'short',
      weight: 50,
      greeting: { outbound: 'Hi, is this {gym}? An automated assistant here, quick questions about your {topics}.' },
      questions: { pricing: 'What does a monthly membership cost?' },
      topicOrder: ['pricing', 'hours', 'classes'],
      voice: { elevenlabs: 'EXAVITQu4vr4xnSDxMaL', flite: 'slt' },
      endpointing: 'slowish',
      filler: { mode: 'none' },
    },
  ],
};

const cfg = (flows: unknown, env: Record<string, string> = {}) =>
  loadConfig({ FLOWS: typeof flows === 'string' ? flows : JSON.stringify(flows), ...env });

function problems(flows: unknown, env: Record<string, string> = {}): string {
  try {
    loadFlows(cfg(flows, env));
  } catch (e) {
    if (isAppError(e) && e.code === 'CONFIG_INVALID') return e.message;
    throw e;
  }
  return '';
}

const withVariant = (patch: Record<string, unknown>) => ({
  ...base,
  variants: [base.variants[0], { ...base.variants[1], ...patch }],
});

t.test('a good experiment: each variant resolved, control unchanged', async (t) => {
  t.equal(loadFlows(loadConfig({})), undefined, 'no FLOWS, no experiment');
  const flows = loadFlows(cfg(base));
  t.ok(flows);
  if (flows === undefined) return;
  t.equal(flows.experiment, 'greeting-2026-12');
  const [control, short] = flows.variants;
  t.same(control?.script, { experiment: 'greeting-2026-12', variant: 'control' }, 'control: nothing but its name');
  t.equal(control?.voice, undefined);
  t.equal(control?.endpointing, undefined);
  t.same(short?.script.topicOrder, ['pricing', 'hours', 'classes']);
  t.same(short?.endpointing, { semanticMs: 300, shortMs: 500, longMs: 1800, maxMs: 3500 });
  t.same(short?.voice, { elevenlabs: { voiceId: 'EXAVITQu4vr4xnSDxMaL' }, flite: 'slt' });
  t.same(flows.warnings, [
    'FLOWS.variants.1.voice.elevenlabs: elevenlabs is not among the TTS providers in use (flite, espeak)',
  ]);
  const timing = withEndpointing(DEFAULT_TIMING, short?.endpointing);
  t.same(
    [timing.endpointSemanticMs, timing.endpointShortMs, timing.endpointLongMs, timing.endpointMaxMs],
    [300, 500, 1800, 3500],
  );
  t.equal(timing.idleRepromptMs, DEFAULT_TIMING.idleRepromptMs, 'nothing else changes');
  t.equal(withEndpointing(DEFAULT_TIMING, undefined), DEFAULT_TIMING);
});

t.test('FLOWS from a file, and the errors of reading it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gca-flows-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'flows.json');
  await writeFile(file, JSON.stringify(base));
  t.equal(loadFlows(cfg(file))?.variants.length, 2);
  t.match(problems(join(dir, 'missing.json')), /FLOWS: cannot read .*missing\.json/);
  await writeFile(file, '{ "experiment": ');
  t.match(problems(file), /FLOWS: not JSON/);
});

t.test('every mistake is named, all in one error', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    [
      'unknown flite voice',
      withVariant({ voice: { flite: 'awb' } }),
      /variants\.1\.voice\.flite: must be one of kal16, slt/,
    ],
    [
      'bad ElevenLabs id',
      withVariant({ voice: { elevenlabs: 'rachel' } }),
      /voice\.elevenlabs: must be an ElevenLabs voice id/,
    ],
    ['unknown OpenAI voice', withVariant({ voice: { openai: 'bob' } }), /voice\.openai: must be one of alloy/],
    [
      'unknown profile',
      withVariant({ endpointing: 'turbo' }),
      /unknown endpointing profile "turbo" \(known: configured, brisk, patient, slowish\)/,
    ],
    ['empty wording', withVariant({ questions: { hours: '   ' } }), /questions\.hours: must not be empty/],
    [
      'a question about another topic',
      withVariant({ questions: { hours: 'How much is a membership?' } }),
      /questions\.hours: must be a question about hours and nothing else, .*reads: pricing/,
    ],
    [
      'a question the machine cannot read',
      withVariant({ questions: { classes: 'Tell me about yoga?' } }),
      /questions\.classes: .*reads: no topic/,
    ],
    [
      'duplicate names',
      {
        ...base,
        variants: [
          base.variants[0],
          { ...base.variants[1], name: 'b', weight: 25 },
          { ...base.variants[1], name: 'b', weight: 25 },
        ],
      },
      /variants\.2\.name: "b" is used by two variants/,
    ],
    ['weights', withVariant({ weight: 40 }), /weights must add up to 100 \(they add up to 90\)/],
    [
      'no control',
      {
        ...base,
        variants: [
          { ...base.variants[1], name: 'a' },
          { ...base.variants[1], name: 'b' },
        ],
      },
      /one variant must be named "control"/,
    ],
    [
      'control changes something',
      { ...base, variants: [{ name: 'control', weight: 50, filler: { mode: 'none' } }, base.variants[1]] },
      /control is the configured behaviour/,
    ],
    [
      'one variant',
      { ...base, variants: [{ name: 'control', weight: 100 }] },
      /an experiment needs at least two variants/,
    ],
    [
      'greeting without disclosure',
      withVariant({ greeting: { inbound: 'Hi, thanks for calling {gym}!' } }),
      /greeting\.inbound: must tell the gym it is talking to an automated assistant/,
    ],
    [
      'unknown placeholder',
      withVariant({ greeting: { inbound: 'Hi {name}, an automated assistant here.' } }),
      /unknown placeholder \{name\}/,
    ],
    [
      'greeting asks a topic',
      withVariant({ greeting: { outbound: 'Hi, automated assistant here. What are your opening hours?' } }),
      /greeting\.outbound: must not ask about a topic itself/,
    ],
    [
      'topic twice',
      withVariant({ topicOrder: ['hours', 'hours', 'classes'] }),
      /topicOrder: must name each of hours, pricing, classes once/,
    ],
    [
      'profile out of order',
      { ...base, endpointingProfiles: { bad: { semanticMs: 600, shortMs: 400, longMs: 900, maxMs: 2000 } } },
      /endpointingProfiles\.bad: must satisfy semanticMs ≤ shortMs ≤ longMs ≤ maxMs/,
    ],
    [
      'filler line asks',
      withVariant({ filler: { mode: 'holding-line', lines: ['What are your hours?'] } }),
      /filler\.lines\.0: a holding line must not ask about a topic/,
    ],
    ['unknown field', withVariant({ colour: 'blue' }), /variants\.1: Unrecognized key/],
  ];
  for (const [what, flows, want] of cases) t.match(problems(flows), want, what);
  // Field errors are all named at once; so are the checks across fields, once the fields are well formed.
  const fields = problems(withVariant({ weight: 0, voice: { flite: 'awb' } }));
  t.match(fields, /variants\.1\.weight: /);
  t.match(fields, /variants\.1\.voice\.flite/);
  const across = problems({
    ...base,
    variants: [
      { name: 'control', weight: 10 },
      { ...base.variants[1], endpointing: 'x', topicOrder: ['hours', 'hours', 'classes'] },
    ],
  });
  t.match(across, /weights must add up to 100/);
  t.match(across, /unknown endpointing profile "x"/);
  t.match(across, /topicOrder: must name each/);
});

t.test('a gpt-4o voice with a tts-1 model is a problem only where OpenAI speaks', async (t) => {
  const coral = withVariant({ voice: { openai: 'marin' } });
  const openai = { OPENAI_API_KEY: 'sk-test', TTS_PROVIDERS: 'openai,flite', OPENAI_TTS_MODEL: 'tts-1-hd' };
  t.match(
    problems(coral, openai),
    /voice\.openai: marin is a voice of the gpt-4o speech models; tts-1-hd has no such voice/,
  );
  t.equal(problems(coral, { ...openai, OPENAI_TTS_MODEL: 'gpt-4o-mini-tts' }), '');
  t.match(loadFlows(cfg(coral))?.warnings.join('\n'), /voice\.openai: openai is not among the TTS providers in use/);
});

t.test('assignment: the same gym always gets the same variant; the weights hold', async (t) => {
  const flows = loadFlows(
    cfg({
      ...base,
      variants: [
        { name: 'control', weight: 70 },
        { ...base.variants[1], weight: 30 },
      ],
    }),
  );
  if (flows === undefined) return t.fail('no flows');
  const a = assignFlow(flows, '+12015550123');
  t.equal(assignFlow(flows, '+1 (201) 555-0123').variant, a.variant, 'formatting does not move a gym');
  t.equal(a.by, 'gym');
  t.equal(gymKey('+1 201 555 0123'), '+12015550123');
  t.equal(gymKey('anonymous'), undefined);
  t.equal(gymKey(undefined), undefined);
  const unknown = assignFlow(flows, 'anonymous');
  t.same([unknown.variant.name, unknown.by], ['control', 'default'], 'no number: control, marked so');
  // A fixed point (the first 48 bits of SHA-256("greeting-2026-12\n+12015550123"), also by Python's hashlib):
  // replicas and releases must agree on it, or gyms would change variant mid-experiment.
  t.equal(bucketPoint('greeting-2026-12', '+12015550123'), 47.59213357674987);
  let short = 0;
  let moved = 0;
  const n = 10_000;
  for (let i = 0; i < n; i++) {
    const phone = `+1201${String(5_550_000 + i).padStart(7, '0')}`;
    const v = assignFlow(flows, phone).variant.name;
    if (v === 'short') short++;
    if (v !== assignFlow({ ...flows, experiment: 'another' }, phone).variant.name) moved++;
  }
  t.ok(Math.abs(short / n - 0.3) < 0.02, `30 % weight: ${((100 * short) / n).toFixed(1)} % of ${n} gyms`);
  // Independent draws of 70/30 disagree 42 % of the time.
  t.ok(
    moved / n > 0.38 && moved / n < 0.46,
    `another experiment reshuffles: ${((100 * moved) / n).toFixed(1)} % moved`,
  );
});

t.test('doctor reads FLOWS as the server does', async (t) => {
  const findings = (flows: unknown) =>
    checkConfig({ FLOWS: JSON.stringify(flows) }).findings.filter((f) => f.name === 'FLOWS');
  t.same(
    findings(base).map((f) => [f.status, f.detail]),
    [['warn', 'FLOWS.variants.1.voice.elevenlabs: elevenlabs is not among the TTS providers in use (flite, espeak)']],
  );
  const { voice: _unused, ...flite } = base.variants[1] as Record<string, unknown>;
  t.same(
    findings({ ...base, variants: [base.variants[0], flite] }).map((f) => [f.status, f.detail]),
    [['ok', 'experiment greeting-2026-12: control 50%, short 50%']],
  );
  const bad = findings(withVariant({ weight: 40, endpointing: 'turbo' }));
  t.same(
    bad.map((f) => f.status),
    ['problem', 'problem'],
  );
  t.match(bad[0]?.detail, /^FLOWS\.variants: weights must add up to 100/);
});
