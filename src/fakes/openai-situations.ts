import { questionTopics } from '../../machines/text.js';
import { callbackIn } from '../situations/callback.js';
import { isHoldCue, isMailboxFull, isVoicemailGreeting, spokenOutcomeIn } from '../situations/cues.js';
import { parseMenu } from '../situations/menu.js';
import { chooseOption } from '../situations/menu-choice.js';
import { refusalsIn } from '../situations/refusal.js';
import type { ScriptedReply } from './openai.js';

// A scripted model for the OpenAI fake (`new FakeOpenAi({ reply: situationalReply })`) that answers a request
// the way a competent model answers the situations of issue 16, through the real tools: a phone menu gets
// press_keys, hold wait_on_hold, a greeting leave_voicemail, a refusal record_refusal, a deferral
// request_callback, a wrong number end_call_with_outcome. It reads the same request body the real API gets (the
// messages and the offered tools), so a test through it checks the prompt's marks and the tools' schemas as sent.

interface Message {
  role: string;
  content: string | null;
}

const MARK = /^\[(automated phone menu|hold announcement|voicemail greeting|call-screening assistant)\] /;

function lastOf(messages: readonly Message[], role: string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (m.role === role && typeof m.content === 'string') return m.content;
  }
  return '';
}

const call = (name: string, args: object) => ({ name, arguments: JSON.stringify(args) });

export function situationalReply(body: Record<string, unknown>): ScriptedReply {
  const messages = (body.messages as Message[] | undefined) ?? [];
  const offered = new Set(
    ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name),
  );
  // A follow-up round carries our tool results: the model then only speaks.
  if (messages[messages.length - 1]?.role === 'tool') return { text: 'Thank you.' };
  const heard = lastOf(messages, 'user').replace(MARK, '');
  const asked = questionTopics(lastOf(messages, 'assistant'))[0];
  const need = (name: string): void => {
    if (!offered.has(name)) throw new Error(`the request does not offer ${name}`);
  };

  const choice = chooseOption(parseMenu(heard));
  if (choice.option !== undefined) {
    need('press_keys');
    return { toolCalls: [call('press_keys', { digits: choice.option.key })] };
  }
  if (isVoicemailGreeting(heard)) {
    need('leave_voicemail');
    return { toolCalls: [call('leave_voicemail', isMailboxFull(heard) ? { mailbox_full: true } : {})] };
  }
  if (isHoldCue(heard)) {
    need('wait_on_hold');
    return { toolCalls: [call('wait_on_hold', {})] };
  }
  const outcome = spokenOutcomeIn(heard);
  if (outcome !== undefined) {
    need('end_call_with_outcome');
    return { text: 'Sorry to have bothered you. Goodbye!', toolCalls: [call('end_call_with_outcome', { outcome })] };
  }
  const refusals = refusalsIn(heard, asked);
  if (refusals.length > 0) {
    need('record_refusal');
    return {
      text: 'No problem, thank you.',
      toolCalls: refusals.map((r) => call('record_refusal', r)),
    };
  }
  const callback = callbackIn(heard, [], new Date(), 'UTC');
  if (callback !== undefined) {
    need('request_callback');
    return {
      text: "Thanks, I'll call back then. Goodbye!",
      toolCalls: [call('request_callback', { words: heard, ...(callback.person ? { person: callback.person } : {}) })],
    };
  }
  return { text: 'Thank you.' };
}
