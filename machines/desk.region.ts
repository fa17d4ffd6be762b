import { callSetup } from './call.setup.js';

/**
 * The front desk's own work (a call to a number set to `front-desk`, src/frontdesk/): answering the gym's caller
 * from its stored facts is the conversation's (the turn and reply regions, with the desk's receptionist as the
 * reply); this region follows what the desk does besides answering: taking a message, and putting the caller
 * through to the staff (the announcement plays to the end, then Twilio is asked to <Dial> the staff number).
 * On any other call it stays `off`.
 */
export const deskRegion = callSetup.createStateConfig({
  description: "The front desk's work: answering from the stored facts, taking a message, putting the caller through.",
  initial: 'off',
  states: {
    off: {
      description: 'Not a front-desk call (an interview): nothing for the desk to do.',
      always: { guard: 'isFrontDesk', target: 'answering', description: 'A call to a front-desk number.' },
    },
    answering: {
      description: "The caller asks; the receptionist answers from the gym's stored facts (or says it does not know).",
      on: {
        'REPLY.MESSAGE_STARTED': { target: 'takingMessage', description: 'The receptionist asked for a name.' },
        'REPLY.MESSAGE': {
          actions: 'recordMessage',
          description: 'A message given in one go (name, number and reason at once).',
        },
        'REPLY.TRANSFER': { target: 'transferring', description: 'The caller asked for a person.' },
      },
    },
    takingMessage: {
      description: "Asking for the caller's name, callback number and reason, one at a time.",
      on: {
        'REPLY.MESSAGE': { target: 'answering', actions: 'recordMessage', description: 'The message is complete.' },
        'REPLY.MESSAGE_CANCELLED': { target: 'answering', description: 'The caller changed their mind.' },
        'REPLY.TRANSFER': { target: 'transferring', description: 'A person after all.' },
      },
    },
    transferring: {
      description: 'Putting the caller through to the staff number.',
      initial: 'announcing',
      states: {
        announcing: {
          description: '"I\'ll put you through now" plays to its end before the line is handed over.',
          always: { guard: 'agentDone', target: 'dialling', description: 'The announcement has played.' },
        },
        dialling: {
          description: 'Twilio is asked (REST) to leave our media stream and <Dial> the staff.',
          invoke: {
            id: 'transfer',
            src: 'transfer',
            input: ({ context }) => ({ callId: context.callId, language: context.language }),
            onDone: [
              {
                guard: 'transferDialled',
                target: '#call.live.desk.transferred',
                actions: 'recordTransfer',
                description: 'Twilio took the redirect: the staff phone rings.',
              },
              {
                target: '#call.live.desk.answering',
                actions: 'recordTransfer',
                description: 'No staff number, or Twilio refused: the next re-prompt says so.',
              },
            ],
            onError: {
              target: '#call.live.desk.answering',
              actions: 'noteTransferError',
              description: 'The request failed: the next re-prompt says so.',
            },
          },
        },
      },
    },
    transferred: {
      description: 'The caller is with the staff; our media stream ends with the redirect (end reason transferred).',
    },
  },
});
