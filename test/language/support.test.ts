import t from 'tap';
import { createLogger } from '../../src/log.js';
import { logLanguageSupport, RECOGNISER_LANGUAGES } from '../../src/language/support.js';
import { checkConfig } from '../../src/ops/doctor/config-checks.js';

// Which languages calls can be held in, as the server says it at start-up (src/main.ts) and doctor in its
// CALL_LANGUAGE finding: the offline recogniser hears English only, Deepgram both.

function startUpLines(asr: { name: string; languages: readonly ('en' | 'es')[] }) {
  const lines: string[] = [];
  logLanguageSupport(createLogger('info', { write: (s: string) => void lines.push(s) }), asr);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

t.test('start-up: the offline stack warns that it does not hear Spanish; Deepgram states both', async (t) => {
  t.match(startUpLines({ name: 'offline', languages: RECOGNISER_LANGUAGES.offline }), [
    {
      level: 40,
      languages: ['en'],
      unserved: ['es'],
      msg: 'calls in English (en) only: the offline recogniser does not hear Spanish (es) (set DEEPGRAM_API_KEY)',
    },
  ]);
  const deepgram = startUpLines({ name: 'deepgram', languages: RECOGNISER_LANGUAGES.deepgram });
  t.match(deepgram, [{ level: 30, languages: ['en', 'es'], msg: 'calls in English (en), Spanish (es)' }]);
  t.equal(deepgram[0]?.unserved, undefined);
});

t.test('doctor: CALL_LANGUAGE against the recogniser the configuration selects', async (t) => {
  const finding = (env: Record<string, string>) =>
    checkConfig({ NODE_ENV: 'test', ...env }).findings.find((f) => f.name === 'CALL_LANGUAGE');
  t.match(finding({}), {
    section: 'config',
    status: 'ok',
    detail: 'en; calls in English (en) only: the offline recogniser does not hear Spanish (es) (set DEEPGRAM_API_KEY)',
  });
  t.match(finding({ CALL_LANGUAGE: 'es-MX' }), {
    status: 'problem',
    detail: /^es: calls in English \(en\) only: .*; calls without a language of their own would be refused$/,
  });
  t.match(finding({ CALL_LANGUAGE: 'es', DEEPGRAM_API_KEY: 'k' }), {
    status: 'ok',
    detail: 'es; calls in English (en), Spanish (es)',
  });
  t.match(finding({ CALL_LANGUAGE: 'es', DEEPGRAM_API_KEY: 'k', ASR_PROVIDER: 'offline' }), { status: 'problem' });
});
