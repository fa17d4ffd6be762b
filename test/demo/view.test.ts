import t from 'tap';
import { PassThrough } from 'node:stream';
import type { CallEmitted } from '../../machines/events.js';
import { LiveView } from '../../src/demo/view.js';

// The demo's live view as a person sees it on a terminal: readable status, labelled receptionist lines, and a
// recogniser confidence only when the recogniser has one.

function terminal(): { out: PassThrough & { isTTY: boolean }; text: () => string } {
  const out = Object.assign(new PassThrough(), { isTTY: true });
  let written = '';
  out.on('data', (c: Buffer) => (written += c.toString()));
  return { out, text: () => written };
}

/** The terminal's "carriage return, erase line" that redraws the status line in place. */
const REDRAW = '\r\x1b[2K';

/** Each state of the status line as drawn. */
const statusLines = (s: string) =>
  s
    .split(REDRAW)
    .filter((l) => /facts:/.test(l))
    .map((l) => l.replace(/^\S+ \d+s {2}/, '').replace(/ {2}facts:.*$/s, ''));

const callerTurn = (text: string, confidence: number): CallEmitted =>
  ({
    type: 'ledger.callerTurn',
    callId: 'c',
    seq: 1,
    text,
    confidence,
    startMs: 0,
    endMs: 900,
    endpoint: 'short',
  }) as CallEmitted;

t.test('the status line says what is happening, in words, from server start to hang-up', async (t) => {
  const { out, text } = terminal();
  const view = new LiveView({ out, color: false });
  view.info('Starting the server…');
  view.phase('placing the call: POST /v1/calls…');
  view.state('live(caller.silent | reply.idle | playback.idle | turn.connecting)');
  view.state('live(caller.silent | reply.idle | playback.playing | turn.speaking.flowing)');
  view.state('live(caller.speaking | reply.generating.preemptive | playback.idle | turn.listening.hearing)');
  view.state('ended');
  view.stop();
  const shown = [...new Set(statusLines(text()))];
  t.same(shown, [
    'starting the server…',
    'placing the call: POST /v1/calls…',
    'connecting the audio stream',
    'agent speaking',
    'gym speaking',
    'call ended',
  ]);
  t.notMatch(text(), /live\(|turn\.|caller\./, 'no state path on screen');
});

t.test("the receptionist's lines say whose they are; confidence only when the recogniser has one", async (t) => {
  const { out, text } = terminal();
  const view = new LiveView({ out, color: false });
  view.receptionist({ kind: 'heard', text: 'i uh is us hours', atMs: 0 });
  view.receptionist({ kind: 'heard', text: '', atMs: 0 });
  view.emitted(callerTurn('monday to friday', 1));
  view.recogniserReportsConfidence(true);
  view.emitted(callerTurn('forty nine dollars', 0.87));
  view.stop();
  const lines = text()
    .split(REDRAW)
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.trim() !== '' && !/facts:/.test(l));
  t.match(lines[0], /receptionist's recogniser heard the agent as: "i uh is us hours"/);
  t.match(lines[1], /heard the agent as: "\(nothing\)"/);
  t.match(
    lines[2],
    /gym +monday to friday {2}\(as the agent recognised it\)$/,
    'no confidence from the offline recogniser',
  );
  t.match(lines[3], /forty nine dollars {2}\(as the agent recognised it, confidence 0\.87\)$/);
});
