import type { CallEmitted } from '../../machines/events.js';
import { answeredTopics, type GymFacts } from '../facts/model.js';
import type { CallWatch } from './call.js';
import type { ReceptionistEvent } from './receptionist.js';
import { callStatus } from './status.js';

// The demo's live terminal view: one speaker-labelled line per thing said (as the other side recognised it),
// and below it a status line with what is happening (in words), elapsed time and which facts are in. On a TTY
// the status line is redrawn in place; otherwise (CI logs, pipes) only the conversation lines are printed.

export interface ViewOptions {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly color?: boolean;
}

const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class LiveView implements CallWatch {
  readonly #out: ViewOptions['out'];
  readonly #tty: boolean;
  readonly #color: boolean;
  readonly #t0 = performance.now();
  /** Before the call machine runs, what the demo is doing; then the machine's state in words. */
  #status = 'starting the server…';
  /** Whether the agent's recogniser reports a real confidence per utterance (the offline one does not). */
  #confidence = false;
  #facts: GymFacts = { hours: {}, pricing: [], classes: [] };
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;
  #statusShown = false;

  constructor(o: ViewOptions) {
    this.#out = o.out;
    this.#tty = o.out.isTTY === true;
    this.#color = o.color ?? this.#tty;
    if (this.#tty) {
      this.#timer = setInterval(() => this.#drawStatus(), 250);
      this.#timer.unref();
    }
  }

  info(text: string): void {
    this.#print(this.#dim(text));
  }

  /** What the demo is doing before the call machine has a state ("placing the call…"). */
  phase(text: string): void {
    this.#status = text;
    this.#drawStatus();
  }

  /** Show the agent recogniser's confidence on each line it recognised, when it reports one. */
  recogniserReportsConfidence(yes: boolean): void {
    this.#confidence = yes;
  }

  state(s: string): void {
    this.#status = callStatus(s);
    this.#drawStatus();
  }

  emitted(e: CallEmitted): void {
    switch (e.type) {
      case 'ledger.agentTurn': {
        if (e.text === '') return;
        const cut = e.interrupted
          ? ` ${this.#paint('33', '[cut: caller heard only')} "${e.heardText}"${this.#paint('33', ']')}`
          : '';
        this.#print(`${this.#label('agent', '36')}${e.interrupted ? e.heardText || '…' : e.text}${cut}`);
        return;
      }
      case 'ledger.callerTurn':
        if (e.endpoint === 'backchannel' || e.text.trim() === '') return;
        this.#print(
          `${this.#label('gym', '32')}${e.text}  ${this.#dim(`(as the agent recognised it${this.#confidence ? `, confidence ${e.confidence.toFixed(2)}` : ''})`)}`,
        );
        return;
      case 'ledger.facts':
        this.#facts = e.facts;
        this.#drawStatus();
        return;
      case 'call.dtmf':
        this.#print(this.#dim(`         (key pressed: ${e.digit} — ignored by the agent)`));
        return;
      case 'call.ended':
        this.#print(this.#dim(`         call ended: ${e.reason}`));
        return;
      default:
        return;
    }
  }

  receptionist(e: ReceptionistEvent): void {
    // The simulated receptionist's side, dimmed: what her script made her say, and what her own recogniser made
    // of the agent's audio (she hears nothing else, so a garbled line here is her recogniser, not the agent).
    if (e.kind === 'said') this.#print(this.#dim(`         receptionist says (${e.what}): "${e.text}"`));
    else if (e.kind === 'heard')
      this.#print(this.#dim(`         receptionist's recogniser heard the agent as: "${e.text || '(nothing)'}"`));
    else if (e.kind === 'cough') this.#print(this.#dim('         *cough*'));
    else if (e.kind === 'hangup') this.#print(this.#dim('         the receptionist hangs up'));
    // The gym's phone line (personas with a flow): keys its DTMF detector heard, hold, beeps, transfers.
    else if (e.kind === 'key') this.#print(this.#dim(`         the gym's line heard key ${e.key}`));
    else if (e.kind === 'line') this.#print(this.#dim(`         the gym's line: ${e.what}`));
    else if (e.kind === 'transfer') this.#print(this.#dim(`         the receptionist transfers the call (${e.to})`));
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#clearStatus();
  }

  #label(who: string, color: string): string {
    const t = ((performance.now() - this.#t0) / 1000).toFixed(1).padStart(5);
    return `${this.#dim(t)} ${this.#paint(color, who.padEnd(6))} `;
  }

  #print(line: string): void {
    this.#clearStatus();
    this.#out.write(line + '\n');
    this.#drawStatus();
  }

  #drawStatus(): void {
    if (!this.#tty) return;
    const got = answeredTopics(this.#facts);
    const mark = (t: 'hours' | 'pricing' | 'classes') =>
      got.has(t) ? this.#paint('32', `${t} ✓`) : this.#dim(`${t} ·`);
    const secs = ((performance.now() - this.#t0) / 1000).toFixed(0);
    const spin = SPIN[this.#tick++ % SPIN.length] ?? ' ';
    const line = `${spin} ${secs}s  ${this.#status}  facts: ${mark('hours')} ${mark('pricing')} ${mark('classes')}`;
    this.#out.write(`\r\x1b[2K${line}`);
    this.#statusShown = true;
  }

  #clearStatus(): void {
    if (this.#tty && this.#statusShown) this.#out.write('\r\x1b[2K');
    this.#statusShown = false;
  }

  #paint(code: string, s: string): string {
    return this.#color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }

  #dim(s: string): string {
    return this.#paint('2', s);
  }
}
