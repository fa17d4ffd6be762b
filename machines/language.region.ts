import { callSetup } from './call.setup.js';

/**
 * The language the agent speaks (context.language): the call's own until the person who answers speaks another
 * the agent speaks, then that one for the rest of the call. Once: `switched` has no way out, so a call never flips
 * back and forth on a stray phrase. Only a person's words count (a phone tree's "para español, marque dos" is the
 * situation region's), and a few words at least (src/language/detect.ts).
 */
export const languageRegion = callSetup.createStateConfig({
  description: "The agent's language: the call's own, or the one the person answering speaks (switched once).",
  initial: 'original',
  states: {
    original: {
      on: {
        'ASR.FINAL': {
          guard: 'personSpeaksOtherLanguage',
          target: 'switched',
          actions: 'switchLanguage',
          description:
            'The person speaks another language the agent speaks (the recogniser says so, or the words do): ' +
            'every line, question and reply from now on is in it, and their words are read in it.',
        },
      },
    },
    switched: {
      description: 'Switched once; the call keeps this language to its end.',
    },
  },
});
