import t from 'tap';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { loadDsp } from '../../src/dsp/index.js';
import { createLogger } from '../../src/log.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { launchChromium } from '../support/chromium.js';
import { seedDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';

// The live monitor as a person uses it, in headless Chromium (the Debian package, as the review page's test): one
// simulated offline call (the real server, the fake Twilio, the gym saying hello and then holding the line), /monitor
// open before it starts. The page must show the call appear, its statechart state change, the transcript arrive (the
// gym's words, then the agent's greeting), hear both legs through listen-in (a WebAudio analyser in the page reads
// signal), and hang the call up with the button: the call ends with reason operator-hangup, in the page and in the
// database. MONITOR_SCREENSHOT=docs/monitor-screenshot.png keeps the screenshot taken mid-call.

t.setTimeout(120_000);

t.test('the live monitor in headless Chromium during a simulated call', async (t) => {
  // A user gesture starts the page's audio anyway (the Listen in click); the policy flag keeps that out of the test.
  const browser = await launchChromium(t, ['--autoplay-policy=no-user-gesture-required']);
  if (browser === undefined) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'monitor-e2e-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await seedDatabase(dataDir);
  const dsp = loadDsp();
  const env = await DemoEnvironment.start({
    dataDir,
    log: createLogger(process.env.E2E_LOG === '1' ? 'debug' : 'silent'),
    // flite in this thread, as the recordings' end-to-end test: its worker's WebAssembly compile is not under test.
    providers: {
      asr: new OfflineAsr({ dsp }),
      llm: new OfflineInterviewer(),
      tts: new FliteTts({ voice: 'kal16', mode: 'inline' }),
    },
  });
  t.teardown(() => env.close());

  // The gym picks up, says hello in flite's other voice, then stays on the line in silence until the call ends.
  const { pcm: hello } = await synthesizePhoneAudio(
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    dsp,
    'Hello, Echo Gym, how can I help you?',
  );
  const phone = '+12015550199';
  let lineClosed = false;
  env.routing.callees.set(phone, async (stream) => {
    void stream.closed.then(() => (lineClosed = true));
    await stream.say(hello);
    for (let s = 0; s < 60 && !lineClosed; s++) await stream.say(new Int16Array(4000));
  });

  const ctx = await browser.newContext({ httpCredentials: { username: 'monitor', password: env.apiToken } });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(`${env.baseUrl}/monitor`);
  t.equal(await page.title(), 'Live calls · gym-call-agent monitor');
  await page.locator('#connection', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
  t.match(await page.locator('#replica').innerText(), /The only one: every live call is here/);

  const callId = await env.placeCall(phone, 'Echo Gym');
  const card = page.locator(`section.call[data-call-id="${callId}"]`);
  await card.waitFor({ timeout: 15_000 });
  t.equal(await card.locator('h2').innerText(), 'Echo Gym');
  // Every state the page shows, as the page changes it (a MutationObserver in the page: no sample is missed).
  type StatesWin = { shownStates: string[] };
  await card.locator('[data-role="state"]').evaluate((dd) => {
    const w = globalThis as unknown as StatesWin;
    w.shownStates = [dd.textContent ?? ''];
    new (
      globalThis as unknown as { MutationObserver: new (f: () => void) => { observe(n: unknown, o: object): void } }
    ).MutationObserver(() => w.shownStates.push(dd.textContent ?? '')).observe(dd, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const shownStates = () => page.evaluate(() => (globalThis as unknown as StatesWin).shownStates);
  const seeState = (re: RegExp, what: string) =>
    waitFor(async () => (await shownStates()).some((s) => re.test(s)), { timeoutMs: 20_000, intervalMs: 100, what });
  // Listen in from the start: the gym's hello, then the agent's greeting.
  await card.getByRole('button', { name: 'Listen in' }).click();
  await card.getByRole('button', { name: 'Stop listening' }).waitFor({ timeout: 10_000 });
  // The gym's hello: its words reach the page as the recogniser has them, then as the gym's turn; then the greeting.
  const transcript = card.locator('ol.transcript');
  await transcript
    .locator('li.caller', { hasText: /hello|gym/i })
    .first()
    .waitFor({ timeout: 20_000 });
  await seeState(/turn\.(greeting|speaking)/, 'the agent greeting');
  const states = [...new Set(await shownStates())];
  const waited = states.findIndex((x) => /turn\.awaitingHello/.test(x));
  const greeted = states.findIndex((x) => /turn\.(greeting|speaking)/.test(x));
  t.ok(waited >= 0 && greeted > waited, `the state changed on the page: ${states.join(' → ')}`);
  await transcript.locator('li.agent').first().waitFor({ timeout: 20_000 });
  t.match(await transcript.locator('li.agent').first().innerText(), /Agent/);
  t.match(await card.locator('[data-role="providers"]').innerText(), /offline|soundswallower/i);

  // Both legs were heard since the call began: the page's analyser must read signal.
  type AudioWin = {
    gymMonitor?: { audio: { analyser: { fftSize: number; getFloatTimeDomainData(a: Float32Array): void } } };
  };
  let peak = 0;
  await waitFor(
    async () => {
      peak = await page.evaluate(() => {
        const a = (globalThis as unknown as AudioWin).gymMonitor?.audio.analyser;
        if (a === undefined) return 0;
        const buf = new Float32Array(a.fftSize);
        a.getFloatTimeDomainData(buf);
        return buf.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      });
      return peak > 0.01;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: 'listen-in audio in the page' },
  );
  t.ok(peak > 0.01, `the page's WebAudio analyser reads the call's audio (peak ${peak.toFixed(3)})`);
  await page.setViewportSize({ width: 1100, height: 900 });
  const shot = process.env.MONITOR_SCREENSHOT ?? join(dataDir, 'monitor.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.ok((await stat(shot)).size > 10_000, `screenshot saved to ${shot}`);

  // Hang up from the page.
  page.once('dialog', (d) => void d.accept());
  await card.getByRole('button', { name: 'Hang up' }).click();
  await card.locator('[data-role="ended"]', { hasText: 'operator-hangup' }).waitFor({ timeout: 15_000 });
  await waitFor(() => lineClosed, { timeoutMs: 10_000, what: "the gym's line to close" });
  const auth = { authorization: `Bearer ${env.apiToken}` };
  let endReason: string | null = null;
  await waitFor(
    async () => {
      const r = await fetch(`${env.baseUrl}/v1/calls/${encodeURIComponent(callId)}`, { headers: auth });
      endReason = ((await r.json()) as { end_reason: string | null }).end_reason;
      return endReason !== null;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: 'the end of the call stored' },
  );
  t.equal(endReason, 'operator-hangup', 'stored as hung up by an operator');
  t.same(pageErrors, [], 'no script errors in the page');
});
