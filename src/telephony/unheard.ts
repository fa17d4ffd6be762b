import type { CallMode } from '../../machines/events.js';
import { deskLines } from '../frontdesk/lines.js';
import type { Language } from '../language/index.js';
import { sayDialTwiml } from './twiml.js';

// An inbound call in a language the configured recogniser does not hear (the offline one hears English only:
// src/language/support.ts) is not held: the caller would hear the agent and never be understood. Instead the
// caller hears a short apology in the call's language (Twilio's <Say>), and a front-desk number with a staff number
// puts the caller through to the staff as the desk's transfer does; otherwise the call ends politely. Outbound calls
// in such a language are refused before they are placed (outbound.ts).

/** The apology, in the language the caller was going to be answered in. Neither names the caller nor the gym. */
export const UNHEARD_LINES: Readonly<Record<Language, { readonly transfer: string; readonly goodbye: string }>> = {
  en: {
    transfer:
      "Thanks for calling. Our automated assistant isn't available right now. I'll put you through to the staff.",
    goodbye: "Thanks for calling. Our automated assistant isn't available right now. Please call again later. Goodbye.",
  },
  es: {
    transfer:
      'Gracias por llamar. Nuestro asistente automático no está disponible en este momento. Le comunico con el personal.',
    goodbye:
      'Gracias por llamar. Nuestro asistente automático no está disponible en este momento. Por favor, llame más tarde. Adiós.',
  },
};

/** What was done with the call: put through to the staff, or ended after the apology. */
export type UnheardAction = 'transferred' | 'hung_up';

/** The TwiML of such a call: the apology, then the staff's number when a front-desk number has one. */
export function unheardTwiml(
  language: Language,
  mode: CallMode | undefined,
  staffNumber: string | undefined,
): { twiml: string; action: UnheardAction } {
  const L = UNHEARD_LINES[language];
  if (mode === 'front-desk' && staffNumber !== undefined) {
    const dial = { to: staffNumber, unanswered: deskLines(language).transferUnanswered };
    return { twiml: sayDialTwiml(language, L.transfer, dial), action: 'transferred' };
  }
  return { twiml: sayDialTwiml(language, L.goodbye), action: 'hung_up' };
}
